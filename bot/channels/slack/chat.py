"""Posting to Slack: core replies as Block Kit messages, and ephemeral notes only one person sees.

A reply can take several messages (Slack's 50 blocks each); a retry says how many are out already,
and hears of each further one, so no message is posted twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.blocks import MAX_FALLBACK_CHARS, Block, reply_messages, split_text
from bot.channels.slack.plugin import SLACK_MRKDWN
from bot.core.events import Reply
from bot.core.outbox import edited_in_place
from bot.core.rendering import Renderer

PartSent = Callable[[int], Awaitable[None]]
UNEDITABLE = ("message_not_found", "cant_update_message", "edit_window_closed")


@dataclass(frozen=True)
class _Post:
    """One Slack message: blocks (none for plain text) and text, posted anew or updating `ts`."""

    text: str
    blocks: list[Block] | None = None
    ts: str | None = None


class Chat:
    def __init__(self, client: AsyncWebClient, renderer: Renderer) -> None:
        self.client = client
        self.renderer = renderer

    async def post(
        self,
        channel: str,
        replies: Sequence[Reply],
        pressed_ts: str | None = None,
        first: int = 0,
        part_sent: PartSent | None = None,
    ) -> str | None:
        """Posts each reply; a reply that `replaces_buttons` edits the message whose button was pressed."""
        posts: list[_Post] = []
        for reply in replies:
            pages = reply_messages(self.renderer, reply)
            edit = pressed_ts if reply.replaces_buttons and len(pages) == 1 else None
            posts.extend(_Post(text, blocks, edit) for blocks, text in pages)
        return await self._send(channel, posts, first, part_sent)

    async def post_plain(
        self, channel: str, text: str, first: int = 0, part_sent: PartSent | None = None
    ) -> str | None:
        """Plain text, no blocks and no markup: what is left when Slack refused our blocks."""
        escaped = SLACK_MRKDWN.escape(text)
        return await self._send(
            channel, [_Post(chunk) for chunk in split_text(escaped, MAX_FALLBACK_CHARS)], first, part_sent
        )

    async def _send(self, channel: str, posts: Sequence[_Post], first: int, part_sent: PartSent | None) -> str | None:
        """Posts `posts[first:]` (the earlier ones are out already); returns the first new message's ts."""
        first_ts: str | None = None
        for index in range(first, len(posts)):
            post = posts[index]
            content: dict[str, Any] = {"text": post.text}
            content.update({"blocks": post.blocks} if post.blocks is not None else {"mrkdwn": False})
            edit = partial(self._update, channel, content)
            if not await edited_in_place(post.ts, 1, edit, _uneditable):
                response = await self.client.chat_postMessage(channel=channel, **content)
                first_ts = first_ts or str(response["ts"])
            if part_sent is not None and index + 1 < len(posts):
                await part_sent(index + 1)
        return first_ts

    async def _update(self, channel: str, content: dict[str, Any], ts: str) -> None:
        await self.client.chat_update(channel=channel, ts=ts, **content)

    async def ephemeral(self, channel: str, user: str, template: str, context: Mapping[str, Any]) -> None:
        text = self.renderer.render(template, context, "slack_mrkdwn")
        await self.client.chat_postEphemeral(channel=channel, user=user, text=text)


def _uneditable(error: Exception) -> bool:
    """Slack's word that the pressed message cannot be edited any more (so the reply is posted anew)."""
    return isinstance(error, SlackApiError) and error.response.get("error") in UNEDITABLE
