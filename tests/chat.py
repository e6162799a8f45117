"""A test user: sends messages to a Desk and presses buttons by their label."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from bot.core.events import Attachment, Identity, Inbound, Reply
from bot.core.outbox import Delivered
from bot.desk import Desk

_update_ids = itertools.count(1)


def _next_update_id() -> str:
    """Never a plain number, so it cannot clash with a fake platform's own update ids."""
    return f"chat-{next(_update_ids)}"


@dataclass
class ChatUser:
    desk: Desk
    name: str = "olga"
    channel: str = "terminal"
    display_name: str | None = None
    locale: str | None = None
    chat_id: str | None = None  # the platform's chat, where it matters (default: chat-NAME)
    last: list[Reply] = field(default_factory=list)

    @property
    def identity(self) -> Identity:
        return Identity(self.channel, self.name, self.chat_id or f"chat-{self.name}")

    def send(self, text: str = "", files: tuple[Attachment, ...] = (), update_id: str | None = None) -> list[Reply]:
        return self._handle(text=text, attachments=files, update_id=update_id or _next_update_id())

    def press(self, label: str) -> list[Reply]:
        return self._handle(payload=self.payload(label), update_id=_next_update_id())

    def press_payload(self, payload: str) -> list[Reply]:
        return self._handle(payload=payload, update_id=_next_update_id())

    def payload(self, label: str) -> str:
        for reply in reversed(self.last):
            for button in reply.all_buttons():
                if self.desk.renderer.label(button).removeprefix("✓ ") == label:
                    return button.payload
        raise AssertionError(f"no button {label!r} in {self.labels()}")

    def labels(self) -> list[str]:
        return [self.desk.renderer.label(button) for reply in self.last for button in reply.all_buttons()]

    def text(self) -> str:
        return "\n".join(self.desk.renderer.reply(reply) for reply in self.last)

    def templates(self) -> list[str]:
        return [reply.template for reply in self.last]

    def _handle(self, **message: Any) -> list[Reply]:
        """Like a channel: the turn's replies are taken from the outbox and count as delivered."""
        owner = f"chat-of-{self.name}"
        inbound = Inbound(self.identity, display_name=self.display_name, locale=self.locale, **message)
        handled = self.desk.handle_turn(inbound, lease_to=owner)
        for row in handled.to_send:
            self.desk.outbox.complete(row.id, owner, Delivered())
        self.last = handled.replies
        return self.last


def pdf(name: str = "booking.pdf", content: bytes = b"%PDF-1.4 booking") -> Attachment:
    return Attachment(name, "application/pdf", len(content), lambda: content)


EXPLANATION = "I was travelling in Turkey from 10 to 19 Nov and used a VPN for my bank. I never hid my location."


def file_appeal(
    user: ChatUser, account: str = "olegz_dev", files: tuple[Attachment, ...] = (), earnings: str = "Skip"
) -> str:
    """Walks a complete intake and returns the ticket reference."""
    user.send("/appeal")
    user.send(account)
    if user.templates()[-1] == "intake/steps/what_happened.j2":  # not answered by the platform's record
        user.press("Permanently suspended")
        user.send("yesterday")
    user.press("No notice received")
    if user.templates()[-1] == "intake/steps/reason_given.j2":
        user.press("No reason given")
    user.send("2017")
    user.press("Top Rated Plus")
    user.press(earnings)
    user.press("VPN or travel")
    user.press("Done")
    user.send(EXPLANATION)
    user.press("That's all")
    if files:
        user.send(files=files)
    user.press("Done, no more files")
    user.press("Here in this chat")
    user.press("Yes, I agree")
    replies = user.press("Send appeal")
    assert replies[-1].template == "intake/submitted.j2", user.text()
    return str(replies[-1].context["reference"])


def open_question(desk: Desk, question: str, identity: Identity | None = None) -> str:
    """Opens a question ticket for a user, straight through the ticket service; returns its reference."""
    with desk.db.session() as session:
        user = desk.user_for(session, identity or Identity("terminal", "olga", "chat-olga"))
        at = desk.clock.now().isoformat()
        ticket = desk.tickets.open_ticket(session, user, "question", {"question": {"value": question, "at": at}})
        return ticket.reference or ""


def walk_to_member_since(user: ChatUser) -> None:
    """The intake up to "Since when do you have the account?", answered the quickest way."""
    user.send("/appeal")
    user.send("olga_dev")
    user.press("Temporary hold")
    user.send("20.11")
    user.press("No notice received")
    user.press("No reason given")


def walk_to_triggers(user: ChatUser) -> None:
    walk_to_member_since(user)
    user.send("skip")
    user.press("Skip")
    user.press("Skip")


def walk_to_explanation(user: ChatUser) -> None:
    walk_to_triggers(user)
    user.press("VPN or travel")
    user.press("Done")
