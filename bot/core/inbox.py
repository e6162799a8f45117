"""Updates kept before the platform is told they arrived, so a crash after that loses none.

A channel records each update (its raw payload) before it acknowledges it, handles it, and marks
it done. On start it handles again whatever a dead process left undone. Recording is also the
dedupe: an update recorded once is handled once, however often the platform sends it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.core.clock import Clock
from bot.store.db import Database
from bot.store.models import InboxUpdate


class Inbox:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def record(self, channel: str, updates: Sequence[tuple[str, dict[str, Any]]]) -> list[str]:
        """Stores the updates (id, payload) not seen before, in one transaction; returns their ids."""
        ids = [update_id for update_id, _ in updates]
        now = self.clock.now()
        with self.db.session() as session:
            known = set(
                session.exec(
                    select(InboxUpdate.update_id).where(
                        InboxUpdate.channel == channel, col(InboxUpdate.update_id).in_(ids)
                    )
                )
            )
            fresh = []
            for update_id, payload in updates:
                if update_id in known:
                    continue
                try:
                    with session.begin_nested():
                        session.add(InboxUpdate(channel=channel, update_id=update_id, payload=payload, received_at=now))
                except IntegrityError:  # another process recorded it just now
                    continue
                known.add(update_id)
                fresh.append(update_id)
        return fresh

    def done(self, channel: str, update_id: str) -> None:
        with self.db.session() as session:
            row = session.exec(
                select(InboxUpdate).where(InboxUpdate.channel == channel, InboxUpdate.update_id == update_id)
            ).first()
            if row is not None and row.handled_at is None:
                row.handled_at = self.clock.now()
                session.add(row)

    def undone(self, channel: str) -> list[tuple[str, dict[str, Any]]]:
        """What was recorded but not handled (its process died, or is handling it now), oldest first.

        Called on start; handling an update twice is harmless, as the engine records each update id.
        """
        with self.db.session() as session:
            rows = session.exec(
                select(InboxUpdate)
                .where(InboxUpdate.channel == channel, col(InboxUpdate.handled_at).is_(None))
                .order_by(col(InboxUpdate.id))
            )
            return [(row.update_id, dict(row.payload)) for row in rows]
