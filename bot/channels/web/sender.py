"""The outbox's web sender: a message is delivered once it is stored in the user's transcript.

The page (or its event stream) shows it from there, now or on the next visit. A reply that is the
new state of the message whose button was pressed is stored as that message's replacement.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Sequence
from typing import Any

from bot.channels.web.live import Bell
from bot.channels.web.transcript import BOT, Said, Transcript
from bot.core.events import Button
from bot.core.outbox import Delivered, DeliveryResult, Outbound
from bot.core.rendering import Renderer
from bot.store.models import TranscriptEntry


class WebSender:
    channel = "web"

    def __init__(self, renderer: Renderer, transcript: Transcript, bell: Bell) -> None:
        self.renderer = renderer
        self.transcript = transcript
        self.bell = bell

    async def send(self, message: Outbound) -> DeliveryResult:
        entry = await asyncio.to_thread(self._store, message)
        self.bell.ring(message.chat_id)
        return Delivered(str(entry.id))

    def _store(self, message: Outbound) -> TranscriptEntry:
        return self.transcript.add(message.chat_id, f"out:{message.id}", self.said(message))

    def said(self, message: Outbound) -> Said:
        """The message as the page shows it: escaped HTML with its buttons (plain text, escaped, on the retry)."""
        if message.as_plain_text:
            return Said(BOT, html.escape(self.renderer.render(message.template, message.context, "plain")))
        buttons = shown_buttons(self.renderer, message.buttons)
        edited = message.edit_message_id or ""
        replaces = int(edited) if edited.isdigit() else None
        return Said(BOT, self.renderer.render(message.template, message.context, "html"), buttons, replaces=replaces)


def shown_buttons(renderer: Renderer, rows: Sequence[Sequence[Button]]) -> list[list[dict[str, Any]]]:
    """Buttons as the transcript keeps them: the label as it reads, and what pressing it sends."""
    return [
        [{"label": renderer.label(button), "payload": button.payload, "style": button.style} for button in row]
        for row in rows
    ]
