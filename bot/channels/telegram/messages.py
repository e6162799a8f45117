"""Posting rendered text to a chat: split at the length limit, paced, with a plain-text fallback."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Bot, ForceReply, InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot.channels.telegram.files import with_telegram_limit
from bot.channels.telegram.formatting import split_message
from bot.channels.telegram.limiter import RateLimiter
from bot.config import Settings
from bot.core.rendering import Renderer

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ForceReply
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
MAX_INLINE_WAIT_SECONDS = 30.0
T = TypeVar("T")
# Hears of each part as it goes out: how many are out now, and the part's message.
PartSent = Callable[[int, Message], Awaitable[None]]


@dataclass(frozen=True)
class Text:
    """A message in Telegram HTML, and how to get it as plain text if Telegram refuses the HTML."""

    html: str
    plain: Callable[[], str]


def is_parse_error(error: BadRequest) -> bool:
    return "can't parse entities" in error.message.lower()


def is_not_modified(error: BadRequest) -> bool:
    return "message is not modified" in error.message.lower()


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Poster:
    def __init__(self, bot: Bot, renderer: Renderer, settings: Settings, limiter: RateLimiter) -> None:
        self.bot = bot
        self.renderer = renderer
        self.settings = settings
        self.limiter = limiter

    def render(self, template: str, context: Mapping[str, Any]) -> Text:
        context = with_telegram_limit(context, self.settings)
        return Text(
            self.renderer.render(template, context, "telegram_html"),
            lambda: self.renderer.render(template, context, "plain"),
        )

    async def send(
        self,
        chat_id: str,
        text: Text,
        markup: Markup | None = None,
        markup_on_first: bool = False,
        reply_to: int | None = None,
    ) -> list[Message]:
        """Sends the text in as many messages as it needs; the keyboard goes on the last (or first) one."""
        try:
            return await self.send_parts(
                chat_id, split_message(text.html), ParseMode.HTML, markup, markup_on_first, reply_to
            )
        except BadRequest as error:
            if not is_parse_error(error):
                raise
            log.warning("Telegram refused the HTML (%s); sending plain text to %s", error.message, chat_id)
        plain = split_message(text.plain(), html=False)
        return await self.send_parts(chat_id, plain, None, markup, markup_on_first, reply_to)

    async def edit(self, chat_id: str, message_id: int, text: Text, markup: InlineKeyboardMarkup | None) -> None:
        """Edits a message in place with the first part of the text; an unchanged message counts as done."""
        await self.limiter.wait(chat_id)
        try:
            await self._edit(chat_id, message_id, split_message(text.html)[0], ParseMode.HTML, markup)
        except BadRequest as error:
            if not is_parse_error(error):
                raise
            await self._edit(chat_id, message_id, split_message(text.plain(), html=False)[0], None, markup)

    async def _edit(
        self, chat_id: str, message_id: int, text: str, parse_mode: str | None, markup: InlineKeyboardMarkup | None
    ) -> None:
        try:
            await self.bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=parse_mode,
                reply_markup=markup,
                link_preview_options=NO_PREVIEW,
            )
        except BadRequest as error:
            if not is_not_modified(error):
                raise

    async def send_parts(
        self,
        chat_id: str,
        parts: Sequence[str],
        parse_mode: str | None,
        markup: Markup | None = None,
        markup_on_first: bool = False,
        reply_to: int | None = None,
        first: int = 0,
        part_sent: PartSent | None = None,
    ) -> list[Message]:
        """Sends `parts[first:]` (the earlier ones are out already), telling `part_sent` of each one.

        The keyboard goes on the last (or first) part, and only the first part replies to `reply_to`.
        """
        sent = []
        keyed = 0 if markup_on_first else len(parts) - 1
        for index in range(first, len(parts)):
            await self.limiter.wait(chat_id)
            message = await self.bot.send_message(
                chat_id,
                parts[index],
                parse_mode=parse_mode,
                reply_markup=markup if index == keyed else None,
                reply_parameters=(
                    ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to and index == 0 else None
                ),
                link_preview_options=NO_PREVIEW,
            )
            sent.append(message)
            if part_sent is not None:
                await part_sent(index + 1, message)
        return sent


async def persistently(action: Callable[[], Awaitable[T]], attempts: int = 3) -> T | None:
    """Runs a call made while answering someone: waits out flood limits and network trouble, never raises.

    The user is waiting in the chat, so a short wait beats giving up; what still fails is logged.
    """
    for attempt in range(attempts):
        try:
            return await action()
        except RetryAfter as error:
            delay = min(retry_after_seconds(error), MAX_INLINE_WAIT_SECONDS)
        except NetworkError as error:
            if isinstance(error, BadRequest):
                log.warning("Telegram refused a call: %s", error.message)
                return None
            delay = 0.5 * 2**attempt
        except TelegramError as error:
            log.warning("Telegram refused a call: %s", error.message)
            return None
        if attempt + 1 < attempts:
            await asyncio.sleep(delay)
    log.warning("giving up on a Telegram call after %s attempts", attempts)
    return None
