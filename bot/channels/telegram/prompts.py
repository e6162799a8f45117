"""What the bot is waiting for in the agents' group, kept in the database so a restart loses nothing.

Each row is keyed by the bot's message an agent answers: a ForceReply prompt (answered by replying
to it) or a question with buttons. `draft` carries a resolution's answers from step to step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from bot.store.db import Database


class AgentPrompt(SQLModel, table=True):
    __tablename__ = "telegram_agent_prompts"

    chat_id: str = Field(primary_key=True, max_length=64)
    message_id: str = Field(primary_key=True, max_length=64)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    step: str = Field(max_length=32)
    draft: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


@dataclass(frozen=True)
class Waiting:
    ticket_id: int
    step: str
    draft: dict[str, Any]


class PromptStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def save(self, chat_id: str, message_id: int, ticket_id: int, step: str, draft: dict[str, Any]) -> None:
        with self.db.session() as session:
            session.merge(
                AgentPrompt(chat_id=chat_id, message_id=str(message_id), ticket_id=ticket_id, step=step, draft=draft)
            )

    def get(self, chat_id: str, message_id: int) -> Waiting | None:
        with self.db.session() as session:
            row = session.get(AgentPrompt, (chat_id, str(message_id)))
            return Waiting(row.ticket_id, row.step, dict(row.draft)) if row else None

    def done(self, chat_id: str, message_id: int) -> None:
        with self.db.session() as session:
            row = session.get(AgentPrompt, (chat_id, str(message_id)))
            if row is not None:
                session.delete(row)
