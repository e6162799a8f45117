"""One inbound message being handled: the transaction, who sent it, and where they are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from bot.core.events import Inbound, Reply
from bot.core.memo import ConversationMemo
from bot.store.models import Conversation, User


@dataclass
class Turn:
    session: Session
    user: User
    conversation: Conversation
    inbound: Inbound
    text: str
    now: datetime
    replies: list[Reply] = field(default_factory=list)
    memo: ConversationMemo = field(init=False)

    def __post_init__(self) -> None:
        """The memo is read once and written back by the engine when the turn is done."""
        self.memo = ConversationMemo.of(self.conversation)

    def say(self, template: str, **context: object) -> Reply:
        reply = Reply(template, dict(context))
        self.replies.append(reply)
        return reply

    def add(self, reply: Reply) -> None:
        self.replies.append(reply)
