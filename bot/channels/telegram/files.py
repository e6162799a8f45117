"""Documents and photos as core attachments, downloaded through getFile only when the core accepts them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

from telegram import Bot, Message

from bot.channels.telegram.settings import TelegramSettings
from bot.config import Settings
from bot.core.events import Attachment, fetch_on
from bot.core.evidence import guess_type

OFFICIAL_API = "https://api.telegram.org"
# Bots on Telegram's own Bot API server can download at most 20 MB per file.
OFFICIAL_DOWNLOAD_LIMIT = 20 * 1024 * 1024
DOWNLOAD_TIMEOUT_SECONDS = 120.0


def download_limit(settings: Settings) -> int:
    """The largest file we can take on Telegram: the configured limit, capped by the Bot API server's
    (Telegram's own server: 20 MB, unless `download_limit_mb` says what the server in between allows)."""
    telegram = TelegramSettings.of(settings)
    if telegram.download_limit_mb is not None:
        return min(settings.evidence_max_bytes, int(telegram.download_limit_mb * 1024 * 1024))
    if telegram.api_url.rstrip("/") == OFFICIAL_API:
        return min(settings.evidence_max_bytes, OFFICIAL_DOWNLOAD_LIMIT)
    return settings.evidence_max_bytes


def with_telegram_limit(context: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    """Templates that state the size limit (`max_mb`) state the one that holds on Telegram."""
    result = dict(context)
    if "max_mb" in result:
        result["max_mb"] = min(float(result["max_mb"]), round(download_limit(settings) / (1024 * 1024), 1))
    return result


def attachments_of(message: Message, bot: Bot, loop: asyncio.AbstractEventLoop) -> tuple[Attachment, ...]:
    """The document, or the largest size of the photo, in a message."""
    if message.document is not None:
        document = message.document
        name = document.file_name or f"document-{document.file_unique_id}"
        return (
            Attachment(
                name=name,
                mime_type=guess_type(name, document.mime_type),
                size=document.file_size or 0,
                fetch=_fetcher(bot, document.file_id, loop),
            ),
        )
    if message.photo:
        photo = max(message.photo, key=lambda size: (size.file_size or 0, size.width * size.height))
        return (
            Attachment(
                name=f"photo-{photo.file_unique_id}.jpg",
                mime_type="image/jpeg",
                size=photo.file_size or 0,
                fetch=_fetcher(bot, photo.file_id, loop),
            ),
        )
    return ()


def too_big_for_telegram(attachment: Attachment, settings: Settings) -> bool:
    """Files the core would accept but Telegram will not let us download."""
    return download_limit(settings) < attachment.size <= settings.evidence_max_bytes


def _fetcher(bot: Bot, file_id: str, loop: asyncio.AbstractEventLoop) -> Callable[[], bytes]:
    async def download() -> bytes:
        file = await bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())

    return fetch_on(loop, download, DOWNLOAD_TIMEOUT_SECONDS)
