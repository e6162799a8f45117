"""Outbox sender for the terminal: replies and notifications appear in the chat of the user they are for."""

from __future__ import annotations

from bot.channels.terminal.console import Console
from bot.core.outbox import REPLY_KIND, Delivered, DeliveryResult, Outbound


class TerminalSender:
    channel = "terminal"

    def __init__(self, console: Console) -> None:
        self.console = console

    async def send(self, message: Outbound) -> DeliveryResult:
        text = self.console.renderer.render(message.template, message.context, "plain")
        prefix = "" if message.kind == REPLY_KIND else "[update] "
        self.console.show(prefix + text, [button for row in message.buttons for button in row])
        return Delivered()
