"""Console accounts: who may sign in, with which role, and when repeated failures lock an account.

Every surface that creates, signs in or changes an account asks here (the `users` commands, the
console's sign-in), so the rules are written once: names, password length, argon2 hashing, the
lockout, what a role includes. The store only holds the `accounts` table.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.store.db import Database
from bot.store.models import Account

NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 256  # argon2 takes any length; a cap keeps one sign-in from costing a megabyte's hash
FAILURES_BEFORE_LOCKOUT = 5
LOCKOUT = timedelta(minutes=15)
FIRST_ADMIN = "admin"

_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_UNKNOWN = _hasher.hash(secrets.token_urlsafe(16))


class Role(StrEnum):
    """What someone does on the desk; each role can do everything the ones before it can."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    def includes(self, needed: Role) -> bool:
        order = list(Role)
        return order.index(self) >= order.index(needed)


@dataclass
class AccountRefused(Exception):
    """A change to an account that the rules refuse; `code` says which rule."""

    code: str
    context: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.code


@dataclass
class SignInRefused(Exception):
    """`wrong` (name or password, never saying which), `locked` (until when) or `disabled`."""

    code: str
    until: datetime | None = None

    def __str__(self) -> str:
        return self.code


def holders(session: Session) -> list[str]:
    """The accounts a ticket can be handed to: every one that may sign in (each role works tickets)."""
    return list(session.exec(select(Account.name).where(col(Account.disabled_at).is_(None)).order_by(col(Account.name))))


def one_time_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters


def check_password(password: str) -> None:
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise AccountRefused("password_length", {"minimum": MIN_PASSWORD_CHARS, "maximum": MAX_PASSWORD_CHARS})


def _chosen(password: str | None) -> tuple[str, str | None]:
    """The password to set, checked, and the one-time password generated when none was given."""
    if password is None:
        password = generated = one_time_password()
    else:
        generated = None
    check_password(password)
    return password, generated


class Accounts:
    """The console's accounts, over the database."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def add(self, name: str, role: Role, password: str | None = None) -> str | None:
        """Creates the account; without a password, returns the one-time password it was given."""
        if not NAME.fullmatch(name):
            raise AccountRefused("bad_name", {"name": name})
        chosen, generated = _chosen(password)
        now = self.clock.now()
        account = Account(
            name=name,
            role=role.value,
            password_hash=_hasher.hash(chosen),
            one_time=generated is not None,
            created_at=now,
        )
        try:
            with self.db.session() as session:
                session.add(account)
        except IntegrityError as error:
            raise AccountRefused("taken", {"name": name}) from error
        return generated

    def first_admin(self) -> str | None:
        """On a first start with no accounts, makes `admin` and returns its one-time password, once."""
        with self.db.session() as session:
            if session.exec(select(Account.id).limit(1)).first() is not None:
                return None
        try:
            return self.add(FIRST_ADMIN, Role.ADMIN)
        except AccountRefused:  # another process made it first, and printed its password
            return None

    def all(self) -> list[Account]:
        with self.db.session() as session:
            return list(session.exec(select(Account).order_by(col(Account.name))))

    def holders(self) -> list[str]:
        with self.db.session() as session:
            return holders(session)

    def get(self, account_id: int) -> Account | None:
        with self.db.session() as session:
            return session.get(Account, account_id)

    def disable(self, name: str) -> None:
        """Ends the account's sessions and refuses its sign-ins; the last admin is never disabled."""
        with self.db.session() as session:
            account = self._named(session, name)
            if account.role == Role.ADMIN and account.disabled_at is None:
                admins = select(Account.id).where(Account.role == Role.ADMIN.value, col(Account.disabled_at).is_(None))
                if len(session.exec(admins).all()) == 1:
                    raise AccountRefused("last_admin", {"name": name})
            account.disabled_at = account.disabled_at or self.clock.now()

    def reset_password(self, name: str, password: str | None = None) -> str | None:
        """A new password (a one-time one unless given), which also lifts a lockout and ends every session."""
        chosen, generated = _chosen(password)
        with self.db.session() as session:
            account = self._named(session, name)
            self._set_password(account, chosen, one_time=generated is not None)
        return generated

    def change_password(self, account_id: int, current: str, new: str) -> Account:
        """The owner replaces their password (a one-time one at their first sign-in)."""
        check_password(new)
        with self.db.session() as session:
            account = session.get(Account, account_id, with_for_update=True)
            if account is None or not _verifies(account.password_hash, current):
                raise AccountRefused("wrong_password")
            if new == current:
                raise AccountRefused("same_password")
            self._set_password(account, new, one_time=False)
            return account

    def sign_in(self, name: str, password: str) -> Account:
        """The account, when the password is right and it is neither locked nor disabled.

        Each wrong password counts; the `FAILURES_BEFORE_LOCKOUT`th locks the account for `LOCKOUT`,
        during which even the right password is refused. A sign-in resets the count.
        """
        now = self.clock.now()
        with self.db.session() as session:
            account = session.exec(select(Account).where(Account.name == name).with_for_update()).first()
            if account is None:
                _verifies(_UNKNOWN, password)
                raise SignInRefused("wrong")
            if account.locked_until is not None and account.locked_until > now:
                raise SignInRefused("locked", account.locked_until)
            if not _verifies(account.password_hash, password):
                account.failed_sign_ins += 1
                if account.failed_sign_ins >= FAILURES_BEFORE_LOCKOUT:
                    account.failed_sign_ins = 0
                    account.locked_until = now + LOCKOUT
                    session.commit()
                    raise SignInRefused("locked", account.locked_until)
                session.commit()
                raise SignInRefused("wrong")
            if account.disabled_at is not None:
                raise SignInRefused("disabled")
            if _hasher.check_needs_rehash(account.password_hash):
                account.password_hash = _hasher.hash(password)
            account.failed_sign_ins = 0
            account.locked_until = None
            account.last_sign_in_at = now
            return account

    def _named(self, session: Session, name: str) -> Account:
        account = session.exec(select(Account).where(Account.name == name).with_for_update()).first()
        if account is None:
            raise AccountRefused("unknown", {"name": name})
        return account

    def _set_password(self, account: Account, password: str, one_time: bool) -> None:
        account.password_hash = _hasher.hash(password)
        account.one_time = one_time
        account.password_version += 1
        account.failed_sign_ins = 0
        account.locked_until = None


def _verifies(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
