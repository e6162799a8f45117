"""Files a user shares: looked up with files.info and downloaded with the bot token when the core wants them.

The core calls `Attachment.fetch` from a worker thread, and only after it accepted the size and type;
the download itself runs on the event loop (`fetch_on`). The bot token is only sent to Slack's own hosts
(httpx drops it on a redirect to another origin).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from functools import partial
from typing import Any
from urllib.parse import urlparse

import httpx
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.events import Attachment, fetch_on

log = logging.getLogger(__name__)

SLACK_FILE_DOMAINS = (".slack.com", ".slack-gov.com")
DOWNLOAD_TIMEOUT_SECONDS = 60.0


class Files:
    def __init__(self, client: AsyncWebClient, token: str, api_url: str, max_bytes: int) -> None:
        self.client = client
        self.token = token
        self.api_host = urlparse(api_url).hostname or ""
        self.max_bytes = max_bytes

    def trusted(self, url: str) -> bool:
        host = urlparse(url).hostname or ""
        return host == self.api_host or host.endswith(SLACK_FILE_DOMAINS)

    async def attachments(self, files: Iterable[dict[str, Any]]) -> tuple[Attachment, ...]:
        loop = asyncio.get_running_loop()
        found = []
        for shared in files:
            info = (await self.client.files_info(file=shared["id"]))["file"]
            url = info.get("url_private_download") or info.get("url_private") or ""
            if not self.trusted(url):
                log.warning("ignoring file %s: its URL is not on a Slack host", shared["id"])
                continue
            found.append(
                Attachment(
                    name=str(info.get("name") or info.get("title") or "file"),
                    mime_type=str(info.get("mimetype") or ""),
                    size=int(info.get("size") or 0),
                    fetch=fetch_on(loop, partial(self.download, url), DOWNLOAD_TIMEOUT_SECONDS),
                )
            )
        return tuple(found)

    async def download(self, url: str) -> bytes:
        """Stops reading past the size limit: the core refuses the file then, without us holding all of it."""
        headers = {"Authorization": f"Bearer {self.token}"}
        data = bytearray()
        async with (
            httpx.AsyncClient(timeout=DOWNLOAD_TIMEOUT_SECONDS, follow_redirects=True) as http,
            http.stream("GET", url, headers=headers) as response,
        ):
            response.raise_for_status()
            async for chunk in response.aiter_bytes():
                data.extend(chunk)
                if len(data) > self.max_bytes:
                    break
        return bytes(data)
