"""Pending agent prompts: what the bot waits for in a channel's agents' chat, kept so a restart loses nothing.

A channel that asks agents step by step in chat (reply to this message with the explanation, pick the
outcome) keeps each question here, keyed by the channel, the chat and the bot's message the agent
answers, with the agent's decision so far (a `ResolutionDraft`, checked again as it is read back) and
the other message that waits for the same answer, if any (`linked`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.tickets.resolution import ResolutionDraft
from bot.store.db import Database
from bot.store.models import AgentPrompt


@dataclass(frozen=True)
class Waiting:
    ticket_id: int
    step: str
    draft: ResolutionDraft | None = None
    linked: int | None = None


class PromptStore:
    """One channel's pending prompts."""

    def __init__(self, db: Database, channel: str) -> None:
        self.db = db
        self.channel = channel

    def save(self, chat_id: str, message_id: int, waiting: Waiting) -> None:
        with self.db.session() as session:
            session.merge(
                AgentPrompt(
                    channel=self.channel,
                    chat_id=chat_id,
                    message_id=str(message_id),
                    ticket_id=waiting.ticket_id,
                    step=waiting.step,
                    draft=_stored(waiting),
                )
            )

    def get(self, chat_id: str, message_id: int) -> Waiting | None:
        with self.db.session() as session:
            row = session.get(AgentPrompt, (self.channel, chat_id, str(message_id)))
            return _loaded(row) if row else None

    def done(self, chat_id: str, message_id: int) -> None:
        with self.db.session() as session:
            row = session.get(AgentPrompt, (self.channel, chat_id, str(message_id)))
            if row is not None:
                session.delete(row)


def _stored(waiting: Waiting) -> dict[str, Any]:
    """The draft's fields and `linked`, side by side, as the column has always held them."""
    stored = waiting.draft.model_dump(mode="json", exclude_none=True) if waiting.draft else {}
    return {**stored, "linked": waiting.linked} if waiting.linked is not None else stored


def _loaded(row: AgentPrompt) -> Waiting:
    fields = dict(row.draft)
    linked = fields.pop("linked", None)
    draft = ResolutionDraft.model_validate(fields) if fields else None
    return Waiting(row.ticket_id, row.step, draft, int(linked) if linked is not None else None)
