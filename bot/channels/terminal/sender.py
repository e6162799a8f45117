"""Outbox senders for the terminal: replies and notifications appear in the chat of the user they are for."""

from __future__ import annotations

from bot.channels.terminal.console import Console, Shown
from bot.core.outbox import REPLY_KIND, Delivered, DeliveryResult, Outbound


def shown(console: Console, message: Outbound) -> Shown:
    """A message as plain text with its options; where a file is expected, with how to attach one here."""
    text = console.renderer.render(message.template, message.context, "plain")
    if message.expects == "file":
        text += "\n" + console.renderer.render("terminal/attach.j2", {}, "plain")
    return text, [button for row in message.buttons for button in row], message.expects is not None


class TerminalSender:
    """For the delivery thread: notifications (their options lettered), and replies left for later."""

    channel = "terminal"

    def __init__(self, console: Console) -> None:
        self.console = console

    async def send(self, message: Outbound) -> DeliveryResult:
        if message.kind == REPLY_KIND:
            self.console.show_turn([shown(self.console, message)])
        else:
            text, buttons, _ = shown(self.console, message)
            self.console.show_update("[update] " + text, buttons)
        return Delivered()


class TurnSender:
    """For the replies to what the user just typed: kept until the turn is sent, then shown together,
    so the console can number the options of the turn's prompt only."""

    channel = "terminal"

    def __init__(self, console: Console) -> None:
        self.console = console
        self._messages: list[Shown] = []

    async def send(self, message: Outbound) -> DeliveryResult:
        self._messages.append(shown(self.console, message))
        return Delivered()

    def take(self) -> list[Shown]:
        messages, self._messages = self._messages, []
        return messages
