"""A web chat's messages, kept so the user reads them again on the next visit, and streamed as they come.

Each message is stored once (its key: the update id of what the user sent, the outbox row of what
the bot said), in the order it happened; an entry's id is the position a browser resumes after.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.core.clock import Clock
from bot.store.db import Database
from bot.store.models import TranscriptEntry

USER = "user"
BOT = "bot"


@dataclass(frozen=True)
class Said:
    """What one message holds: the user's plain text and file names, or the bot's escaped markup and buttons."""

    author: str
    body: str
    buttons: Sequence[Sequence[dict[str, Any]]] = ()
    files: Sequence[str] = ()
    replaces: int | None = None


class Transcript:
    def __init__(self, db: Database, clock: Clock, channel: str) -> None:
        self.db = db
        self.clock = clock
        self.channel = channel

    def add(self, chat_id: str, key: str, said: Said) -> TranscriptEntry:
        """Stores the message once; the same key again (a redelivery, a form sent twice) gives the stored one."""
        stored = self._by_key(chat_id, key)
        if stored is not None:
            return stored
        entry = TranscriptEntry(
            channel=self.channel,
            chat_id=chat_id,
            key=key,
            author=said.author,
            body=said.body,
            buttons=[list(row) for row in said.buttons],
            files=list(said.files),
            replaces=said.replaces,
            created_at=self.clock.now(),
        )
        try:
            with self.db.session() as session:
                session.add(entry)
                session.commit()
                session.refresh(entry)
                return entry
        except IntegrityError:  # stored meanwhile by another worker
            again = self._by_key(chat_id, key)
            if again is None:
                raise
            return again

    def after(self, chat_id: str, entry_id: int = 0) -> list[TranscriptEntry]:
        """The chat's messages after `entry_id`, oldest first."""
        with self.db.session() as session:
            query = select(TranscriptEntry).where(*self._of(chat_id), col(TranscriptEntry.id) > entry_id)
            return list(session.exec(query.order_by(col(TranscriptEntry.id))))

    def get(self, chat_id: str, entry_id: int) -> TranscriptEntry | None:
        """One of this chat's messages (never another chat's)."""
        with self.db.session() as session:
            return session.exec(
                select(TranscriptEntry).where(*self._of(chat_id), TranscriptEntry.id == entry_id)
            ).first()

    def _by_key(self, chat_id: str, key: str) -> TranscriptEntry | None:
        with self.db.session() as session:
            return session.exec(select(TranscriptEntry).where(*self._of(chat_id), TranscriptEntry.key == key)).first()

    def _of(self, chat_id: str) -> tuple[Any, ...]:
        return (TranscriptEntry.channel == self.channel, TranscriptEntry.chat_id == chat_id)


def current(entries: Sequence[TranscriptEntry]) -> list[TranscriptEntry]:
    """The messages as the chat shows them: an entry replaced by a later one (its new state) is left out."""
    replaced = {entry.replaces for entry in entries if entry.replaces is not None}
    return [entry for entry in entries if entry.id not in replaced]
