"""Posting to Slack: core replies as Block Kit messages, and ephemeral notes only one person sees."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.blocks import reply_messages
from bot.core.events import Reply
from bot.core.rendering import Renderer


class Chat:
    def __init__(self, client: AsyncWebClient, renderer: Renderer) -> None:
        self.client = client
        self.renderer = renderer

    async def post(self, channel: str, replies: Sequence[Reply], pressed_ts: str | None = None) -> str | None:
        """Posts each reply; a reply that `replaces_buttons` edits the message whose button was pressed."""
        first: str | None = None
        for reply in replies:
            pages = reply_messages(self.renderer, reply)
            if reply.replaces_buttons and pressed_ts and len(pages) == 1:
                blocks, text = pages[0]
                await self.client.chat_update(channel=channel, ts=pressed_ts, blocks=blocks, text=text)
                continue
            for blocks, text in pages:
                response = await self.client.chat_postMessage(channel=channel, blocks=blocks, text=text)
                first = first or str(response["ts"])
        return first

    async def ephemeral(self, channel: str, user: str, template: str, context: Mapping[str, Any]) -> None:
        text = self.renderer.render(template, context, "slack_mrkdwn")
        await self.client.chat_postEphemeral(channel=channel, user=user, text=text)
