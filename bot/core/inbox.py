"""Updates kept before the platform is told they arrived, so a crash after that loses none.

A channel records each update (its raw payload) before it acknowledges it, handles it, and marks
it done. On start it handles again whatever a dead process left undone. Recording is also the
dedupe: an update recorded once is handled once, however often the platform sends it.

An update whose handling fails is tried again at once, and after `MAX_ATTEMPTS` failures in all
(a restart's replay counts on) it is given up: never replayed again, logged as a product error, and
the user is told that something went wrong, so nobody is left without an answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.store.db import Database, again_if_disconnected, insert_or_skip
from bot.store.models import InboxUpdate

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
RETRY_SECONDS = 0.5  # after the first failure; twice as long after the second


class Inbox:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    @again_if_disconnected
    def record(self, channel: str, updates: Sequence[tuple[str, dict[str, Any]]]) -> list[str]:
        """Stores the updates (id, payload) not seen before, in one statement; returns their ids.

        An update another process records at the same moment is its, not this one's."""
        if not updates:
            return []
        now = self.clock.now()
        rows = [
            {"channel": channel, "update_id": update_id, "payload": payload, "received_at": now, "attempts": 0}
            for update_id, payload in updates
        ]
        with self.db.session() as session:
            statement = insert_or_skip(session, InboxUpdate).returning(col(InboxUpdate.update_id))
            kept = set(session.execute(statement, rows).scalars())
        return [update_id for update_id in dict.fromkeys(update_id for update_id, _ in updates) if update_id in kept]

    @again_if_disconnected
    def done(self, channel: str, update_id: str) -> None:
        with self.db.session() as session:
            session.execute(
                update(InboxUpdate)
                .where(
                    col(InboxUpdate.channel) == channel,
                    col(InboxUpdate.update_id) == update_id,
                    col(InboxUpdate.handled_at).is_(None),
                    col(InboxUpdate.failed_at).is_(None),
                )
                .values(handled_at=self.clock.now())
            )

    def failed(self, channel: str, update_id: str) -> bool:
        """Counts a failed attempt at handling the update; True once it is given up, and the user is owed
        an answer. An update that was never kept is given up at its first failure: nothing replays it.

        The log names the inbox row only, never what the update says or who sent it.
        """
        with self.db.session() as session:
            row = self._row(session, channel, update_id)
            if row is None:
                log.error("product error: handling a %s update that was not kept failed; it is given up", channel)
                return True
            if row.handled_at is not None or row.failed_at is not None:
                return False
            row.attempts += 1
            if row.attempts >= MAX_ATTEMPTS:
                row.failed_at = self.clock.now()
                log.error(
                    "product error: handling inbox row %s (%s) failed %s times; it is given up",
                    row.id,
                    channel,
                    row.attempts,
                )
            session.add(row)
            return row.failed_at is not None

    @staticmethod
    def _row(session: Session, channel: str, update_id: str) -> InboxUpdate | None:
        return session.exec(
            select(InboxUpdate).where(InboxUpdate.channel == channel, InboxUpdate.update_id == update_id)
        ).first()

    def undone(self, channel: str) -> list[tuple[str, dict[str, Any]]]:
        """What was recorded but neither handled nor given up (its process died, or is handling it now),
        oldest first.

        Called on start; handling an update twice is harmless, as the engine records each update id.
        """
        with self.db.session() as session:
            rows = session.exec(
                select(InboxUpdate)
                .where(
                    InboxUpdate.channel == channel,
                    col(InboxUpdate.handled_at).is_(None),
                    col(InboxUpdate.failed_at).is_(None),
                )
                .order_by(col(InboxUpdate.id))
            )
            return [(row.update_id, dict(row.payload)) for row in rows]


async def handle_kept(
    inbox: Inbox,
    channel: str,
    update_id: str,
    handle: Callable[[], Awaitable[None]],
    give_up: Callable[[], Awaitable[None]],
    retry_seconds: float = RETRY_SECONDS,
    failed: bool = False,
) -> bool:
    """Handles a kept update until it is done or given up; `give_up` answers the user then.

    `failed`: its first attempt has failed already (a framework's error handler hands the failure
    on), so this counts it and tries again. Returns whether it was handled.
    """
    failures = 0
    while True:
        if failed:
            failed = False
        else:
            try:
                await handle()
            except Exception:
                log.exception("handling %s update %s failed", channel, update_id)
            else:
                await asyncio.to_thread(inbox.done, channel, update_id)
                return True
        failures += 1
        if await asyncio.to_thread(inbox.failed, channel, update_id):
            await give_up()
            return False
        await asyncio.sleep(retry_seconds * failures)
