"""Outbox sender for the terminal: notifications appear in the chat of the user they are for."""

from __future__ import annotations

from bot.channels.terminal.console import Console
from bot.core.outbox import Delivered, DeliveryResult, Outbound


class TerminalSender:
    channel = "terminal"

    def __init__(self, console: Console) -> None:
        self.console = console

    async def send(self, message: Outbound) -> DeliveryResult:
        text = self.console.renderer.render(message.template, message.context, "plain")
        self.console.show("[update] " + text, [button for row in message.buttons for button in row])
        return Delivered()
