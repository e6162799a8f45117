"""Abuse limits: how fast one freelancer may write, and how many appeals one account may get a week.

Both are counted in the database, so several workers share them, and inside the turn's transaction
(the user's conversation is locked by then, so one user's window is never counted twice at once).
Agents and admins are never counted: a freelancer's flood cannot slow the people answering it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.core.events import Identity, Reply
from bot.store.models import MessageWindow, Ticket

MESSAGE_WINDOW = timedelta(minutes=1)
APPEAL_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Pace:
    """What to do with one message: handle it, tell the user to slow down (once a window), or stay quiet."""

    allowed: bool
    tell: bool = False
    until: datetime | None = None


class AbuseLimits:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def exempt(self, identity: Identity) -> bool:
        """Agents and admins of the channel are never rate-limited."""
        return identity.key in self.settings.admins or identity.user_id in self.settings.agents_for(identity.channel)

    def pace(self, session: Session, user_id: int, identity: Identity, now: datetime) -> Pace:
        """Counts one message in the user's window, which starts with the first message after the last one ended."""
        if self.exempt(identity):
            return Pace(allowed=True)
        window = session.get(MessageWindow, user_id)
        if window is None:
            window = MessageWindow(user_id=user_id, started_at=now)
            try:
                with session.begin_nested():
                    session.add(window)
                    session.flush()
            except IntegrityError:
                window = session.get(MessageWindow, user_id, populate_existing=True) or window
        if now >= window.started_at + MESSAGE_WINDOW:
            window.started_at, window.messages, window.told = now, 0, False
        window.messages += 1
        session.add(window)
        if window.messages <= self.settings.user_messages_per_minute:
            return Pace(allowed=True)
        tell = not window.told
        window.told = True
        return Pace(allowed=False, tell=tell, until=_minute_after(window.started_at + MESSAGE_WINDOW))

    def next_appeal_at(self, session: Session, account_key: str | None, now: datetime) -> datetime | None:
        """When the account can get another appeal, if it has had as many this week as it may; else None.

        Counted by the account across users, so one account cannot be flooded with appeals from many chats.
        """
        if not account_key:
            return None
        cap = self.settings.appeals_per_account_per_week
        opened = list(
            session.exec(
                select(Ticket.created_at)
                .where(
                    Ticket.kind == "appeal",
                    Ticket.account_key == account_key,
                    col(Ticket.created_at) > now - APPEAL_WINDOW,
                )
                .order_by(col(Ticket.created_at))
            )
        )
        if len(opened) < cap:
            return None
        return _minute_after(opened[len(opened) - cap] + APPEAL_WINDOW)

    def appeal_limit(self, until: datetime) -> Reply:
        """The kind refusal of a new appeal for an account at its weekly cap, naming when it can be sent."""
        cap = self.settings.appeals_per_account_per_week
        return Reply("intake/appeal_limit.j2", {"until": until.isoformat(), "limit": cap})


def _minute_after(at: datetime) -> datetime:
    """`at` rounded up to the whole minute, as users are told times: writing then is never too early."""
    whole = at.replace(second=0, microsecond=0)
    return whole if whole == at else whole + timedelta(minutes=1)
