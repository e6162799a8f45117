"""Every call to the platform API is kept with the key that made it, so any change can be traced to a system."""

from __future__ import annotations

from bot.core.clock import Clock
from bot.store.db import Database
from bot.store.models import ApiCall


class ApiAudit:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def record(self, key_name: str | None, method: str, path: str, status: int, idempotency_key: str | None) -> None:
        """`key_name` is None when no key was accepted (missing, wrong or revoked)."""
        with self.db.session() as session:
            session.add(
                ApiCall(
                    key_name=key_name,
                    method=method[:8],
                    path=path[:512],
                    status=status,
                    idempotency_key=idempotency_key[:200] if idempotency_key else None,
                    at=self.clock.now(),
                )
            )
