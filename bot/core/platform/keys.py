"""API keys for the platform's systems: made from the CLI, shown once, kept only as a hash.

A key is `adk_<lookup>_<secret>`. The lookup part finds the row without scanning; the whole key is
compared by its sha256, in constant time, so a wrong key costs what a right one does. The key is
32 random bytes, so a plain hash (not a slow one, as for passwords) cannot be reversed. A revoked
key's name stays taken, so the audit trail never names two keys alike.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from bot.core.accounts import NAME  # a key is named like a console account
from bot.core.clock import Clock
from bot.store.db import Database
from bot.store.models import ApiCall, ApiKey

TOKEN = re.compile(r"adk_([0-9a-f]{12})_[A-Za-z0-9_-]{43}")
# Compared against when no row matches, so an unknown key takes as long as a wrong one.
_NOBODY = hashlib.sha256(b"no such key").hexdigest()


@dataclass
class KeyRefused(Exception):
    """A change to the keys that the rules refuse; `code` says which rule."""

    code: str
    context: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.code


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh key and its lookup part."""
    lookup = secrets.token_hex(6)
    return f"adk_{lookup}_{secrets.token_urlsafe(32)}", lookup


class ApiKeys:
    """The platform's API keys, over the database."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def add(self, name: str) -> str:
        """Makes a key named `name` and returns it: the only time it is ever seen."""
        if not NAME.fullmatch(name):
            raise KeyRefused("bad_name", {"name": name})
        token, lookup = new_token()
        try:
            with self.db.session() as session:
                session.add(ApiKey(name=name, lookup=lookup, token_sha256=_digest(token), created_at=self.clock.now()))
        except IntegrityError as error:
            raise KeyRefused("taken", {"name": name}) from error
        return token

    def all(self) -> list[ApiKey]:
        with self.db.session() as session:
            return list(session.exec(select(ApiKey).order_by(col(ApiKey.name))))

    def last_calls(self) -> dict[str, datetime]:
        """When each key last called the API, from the audit trail: a key nobody uses can go."""
        with self.db.session() as session:
            rows = session.exec(
                select(ApiCall.key_name, func.max(ApiCall.at)).where(col(ApiCall.key_name).is_not(None)).group_by(
                    col(ApiCall.key_name)
                )
            ).all()
        return {name: at for name, at in rows if name is not None}

    def revoke(self, name: str) -> None:
        """From now on the key is refused; revoking it again changes nothing."""
        with self.db.session() as session:
            key = session.exec(select(ApiKey).where(ApiKey.name == name).with_for_update()).first()
            if key is None:
                raise KeyRefused("unknown", {"name": name})
            key.revoked_at = key.revoked_at or self.clock.now()

    def authenticate(self, token: str) -> str | None:
        """The name of the live key `token` is, or None (unknown, wrong or revoked)."""
        shape = TOKEN.fullmatch(token)
        key = None
        if shape:
            with self.db.session() as session:
                key = session.exec(select(ApiKey).where(ApiKey.lookup == shape.group(1))).first()
        matches = hmac.compare_digest(key.token_sha256 if key else _NOBODY, _digest(token))
        if key is None or not matches or key.revoked_at is not None:
            return None
        return key.name
