"""Pending agent prompts: what the bot waits for in a channel's agents' chat, kept so a restart loses nothing.

A channel that asks agents step by step in chat (reply to this message with the explanation, pick the
outcome) keeps each question here, keyed by the channel, the chat and the bot's message the agent
answers, with the draft of what the agent said so far.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.store.db import Database
from bot.store.models import AgentPrompt


@dataclass(frozen=True)
class Waiting:
    ticket_id: int
    step: str
    draft: dict[str, Any]


class PromptStore:
    """One channel's pending prompts."""

    def __init__(self, db: Database, channel: str) -> None:
        self.db = db
        self.channel = channel

    def save(self, chat_id: str, message_id: int, ticket_id: int, step: str, draft: dict[str, Any]) -> None:
        with self.db.session() as session:
            session.merge(
                AgentPrompt(
                    channel=self.channel,
                    chat_id=chat_id,
                    message_id=str(message_id),
                    ticket_id=ticket_id,
                    step=step,
                    draft=draft,
                )
            )

    def get(self, chat_id: str, message_id: int) -> Waiting | None:
        with self.db.session() as session:
            row = session.get(AgentPrompt, (self.channel, chat_id, str(message_id)))
            return Waiting(row.ticket_id, row.step, dict(row.draft)) if row else None

    def done(self, chat_id: str, message_id: int) -> None:
        with self.db.session() as session:
            row = session.get(AgentPrompt, (self.channel, chat_id, str(message_id)))
            if row is not None:
                session.delete(row)
