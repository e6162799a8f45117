"""Link codes: the platform proves to us who owns an account, through the owner's own chat.

The platform asks for a code for an account and shows it to its logged-in user; the user sends
`/link CODE` to the bot, and that chat identity becomes a verified owner of the account. A code is
used once, lasts `LIFETIME`, and is kept only as its sha256. Each code that matches nothing counts
against the user: after `MAX_MISSES` in `MISS_WINDOW` every code is refused until the window moves on,
so guessing one of 32^8 codes is hopeless.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.intake.parsing import parse_account
from bot.core.platform.fields import AccountId
from bot.core.turn import Turn
from bot.store.models import LinkAttempt, LinkCode, User, VerifiedOwner

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a screen and typed
LENGTH = 8
LIFETIME = timedelta(minutes=15)
MAX_MISSES = 5
MISS_WINDOW = timedelta(hours=1)


class LinkCodeRequest(BaseModel):
    """The account a code is asked for (`POST /api/v1/link-codes`)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, title="LinkCodeRequest")

    account_id: AccountId


class IssuedCode(BaseModel):
    """A code to show the logged-in user, once; they send `/link CODE` to the bot."""

    model_config = ConfigDict(title="LinkCode")

    account_id: str
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class Redeemed:
    """What a `/link` did: `linked` (with the account), `unknown`, `expired`, `used` or `too_many` (with `until`)."""

    outcome: str
    account: str | None = None
    until: datetime | None = None


def _normalised(code: str) -> str:
    return "".join(char for char in code.upper() if char.isalnum())


def _digest(code: str) -> str:
    return hashlib.sha256(_normalised(code).encode()).hexdigest()


class LinkCodes:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def issue(self, session: Session, key_name: str, request: LinkCodeRequest) -> IssuedCode:
        raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        code = f"{raw[:4]}-{raw[4:]}"
        now = self.clock.now()
        row = LinkCode(
            key_name=key_name,
            account_id=request.account_id,
            account_key=parse_account(request.account_id)["key"],
            code_sha256=_digest(code),
            created_at=now,
            expires_at=now + LIFETIME,
        )
        session.add(row)
        session.flush()
        return IssuedCode(account_id=row.account_id, code=code, expires_at=row.expires_at)

    def command(self, turn: Turn, code: str) -> None:
        """`/link CODE`, on any channel."""
        if not _normalised(code):
            turn.say("platform/link.j2", outcome="usage")
            return
        redeemed = self.redeem(turn.session, turn.user, code)
        until = redeemed.until.isoformat() if redeemed.until else None
        turn.say("platform/link.j2", outcome=redeemed.outcome, account=redeemed.account, until=until)

    def redeem(self, session: Session, user: User, code: str) -> Redeemed:
        """Makes the user a verified owner of the code's account, once; inside the chat turn's transaction."""
        now = self.clock.now()
        since = now - MISS_WINDOW
        misses = list(
            session.exec(
                select(LinkAttempt.at)
                .where(LinkAttempt.user_id == user.id, col(LinkAttempt.at) > since)
                .order_by(col(LinkAttempt.at))
            )
        )
        if len(misses) >= MAX_MISSES:
            return Redeemed("too_many", until=misses[-MAX_MISSES] + MISS_WINDOW)
        found = session.exec(select(LinkCode).where(LinkCode.code_sha256 == _digest(code)).with_for_update()).first()
        if found is None:
            session.add(LinkAttempt(user_id=user.id or 0, at=now))
            return Redeemed("unknown")
        if found.used_at is not None:
            return Redeemed("used" if found.used_by != user.id else "linked", account=found.account_id)
        if found.expires_at <= now:
            return Redeemed("expired", account=found.account_id)
        found.used_at, found.used_by = now, user.id
        session.add(found)
        if self.owner_of(session, user, found.account_key) is None:
            session.add(
                VerifiedOwner(
                    user_id=user.id or 0,
                    account_id=found.account_id,
                    account_key=found.account_key,
                    link_code_id=found.id or 0,
                    verified_at=now,
                )
            )
        return Redeemed("linked", account=found.account_id)

    @staticmethod
    def owner_of(session: Session, user: User, account_key: str) -> VerifiedOwner | None:
        return session.exec(
            select(VerifiedOwner).where(VerifiedOwner.user_id == user.id, VerifiedOwner.account_key == account_key)
        ).first()
