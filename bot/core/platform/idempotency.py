"""Writes sent with an Idempotency-Key happen once: a repeat gets the first result and changes nothing.

The first result is kept in the write's own transaction, so a write is never done without its result
kept, nor kept without being done. Two calls with one key at the same moment meet at the unique
index: the second waits for the first to commit and then answers with its result. A write that is
refused (invalid, unknown rule entry) keeps nothing, so trying it again, corrected, is allowed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.core.clock import Clock
from bot.store.db import Database
from bot.store.models import ApiIdempotency

MAX_KEY_CHARS = 200
Write = Callable[[Session], tuple[int, dict[str, Any]]]


class KeyReused(Exception):
    """The idempotency key was used before for another request: the first result would be a lie."""


@dataclass(frozen=True)
class Result:
    status: int
    body: dict[str, Any]
    repeated: bool


def fingerprint(*parts: Any) -> str:
    """What identifies a request, whatever the order of its JSON keys."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


class Idempotency:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def once(self, key_name: str, idempotency_key: str | None, asked: str, write: Write) -> Result:
        """Runs `write` in a transaction, unless this API key sent this idempotency key before."""
        with self.db.session() as session:
            if idempotency_key is None:
                return Result(*write(session), repeated=False)
            earlier = self._earlier(session, key_name, idempotency_key)
            if earlier is not None:
                return _repeat(earlier, asked)
            kept = ApiIdempotency(
                key_name=key_name,
                idempotency_key=idempotency_key,
                fingerprint=asked,
                status=0,
                body={},
                created_at=self.clock.now(),
            )
            try:
                with session.begin_nested():
                    session.add(kept)
                    session.flush()
            except IntegrityError:  # the same key, sent at the same moment, committed first
                first = self._earlier(session, key_name, idempotency_key)
                assert first is not None, "a unique key refused its row, so its row exists"
                return _repeat(first, asked)
            kept.status, kept.body = write(session)
            session.add(kept)
            return Result(kept.status, kept.body, repeated=False)

    @staticmethod
    def _earlier(session: Session, key_name: str, idempotency_key: str) -> ApiIdempotency | None:
        return session.exec(
            select(ApiIdempotency).where(
                ApiIdempotency.key_name == key_name, ApiIdempotency.idempotency_key == idempotency_key
            )
        ).first()


def _repeat(earlier: ApiIdempotency, asked: str) -> Result:
    if earlier.fingerprint != asked:
        raise KeyReused()
    return Result(earlier.status, dict(earlier.body), repeated=True)
