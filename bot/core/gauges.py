"""What the database says about the desk's health right now: the outbox backlog and the open tickets.

Read at scrape time (/metrics) and by the readiness check (/readyz), so every process reports the
same figures however many share the database. Each is one aggregate query over indexed columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.store.models import OutboxMessage, Ticket


@dataclass(frozen=True)
class Backlog:
    """Pending outbox rows per channel, and since when the longest-waiting due row has been due."""

    pending: dict[str, int]
    oldest_due_at: datetime | None

    def waited_seconds(self, now: datetime) -> float:
        return 0.0 if self.oldest_due_at is None else max(0.0, (now - self.oldest_due_at).total_seconds())


def outbox_backlog(session: Session, now: datetime) -> Backlog:
    pending = session.exec(
        select(OutboxMessage.channel, func.count())
        .where(OutboxMessage.status == "pending")
        .group_by(col(OutboxMessage.channel))
    ).all()
    oldest = session.exec(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now
        )
    ).one()
    return Backlog({channel: count for channel, count in pending}, oldest)


def open_tickets(session: Session) -> dict[tuple[str, str], int]:
    """Tickets not yet resolved, by (kind, status)."""
    rows = session.exec(
        select(Ticket.kind, Ticket.status, func.count())
        .where(Ticket.status != "resolved")
        .group_by(col(Ticket.kind), col(Ticket.status))
    ).all()
    return {(kind, status): count for kind, status, count in rows}


def overdue_tickets(session: Session) -> dict[int, int]:
    """Open tickets that missed a response target, by escalation level (1 first response, 2 resolution)."""
    rows = session.exec(
        select(Ticket.escalation_level, func.count())
        .where(Ticket.status != "resolved", Ticket.escalation_level > 0)
        .group_by(col(Ticket.escalation_level))
    ).all()
    return {level: count for level, count in rows}

