"""Posting to Slack: core replies as Block Kit messages, and ephemeral notes only one person sees."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.blocks import Block, reply_messages
from bot.core.events import Reply
from bot.core.outbox import edited_in_place
from bot.core.rendering import Renderer

UNEDITABLE = ("message_not_found", "cant_update_message", "edit_window_closed")


class Chat:
    def __init__(self, client: AsyncWebClient, renderer: Renderer) -> None:
        self.client = client
        self.renderer = renderer

    async def post(self, channel: str, replies: Sequence[Reply], pressed_ts: str | None = None) -> str | None:
        """Posts each reply; a reply that `replaces_buttons` edits the message whose button was pressed."""
        first: str | None = None
        for reply in replies:
            pages = reply_messages(self.renderer, reply)
            edit = partial(self._update, channel, *pages[0])
            if reply.replaces_buttons and await edited_in_place(pressed_ts, len(pages), edit, _uneditable):
                continue
            for blocks, text in pages:
                response = await self.client.chat_postMessage(channel=channel, blocks=blocks, text=text)
                first = first or str(response["ts"])
        return first

    async def _update(self, channel: str, blocks: list[Block], text: str, ts: str) -> None:
        await self.client.chat_update(channel=channel, ts=ts, blocks=blocks, text=text)

    async def ephemeral(self, channel: str, user: str, template: str, context: Mapping[str, Any]) -> None:
        text = self.renderer.render(template, context, "slack_mrkdwn")
        await self.client.chat_postEphemeral(channel=channel, user=user, text=text)


def _uneditable(error: Exception) -> bool:
    """Slack's word that the pressed message cannot be edited any more (so the reply is posted anew)."""
    return isinstance(error, SlackApiError) and error.response.get("error") in UNEDITABLE
