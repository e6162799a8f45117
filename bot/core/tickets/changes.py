"""The newest change of the tickets, for pages that update live.

There is no event bus between the processes that change tickets (the web server, the delivery workers,
the scheduler, the command line): they share only the database, and every change writes an audit event.
So a live page asks for the id of the newest event that changed something, one indexed query every
poll interval, and fetches its content again only when that id moved. Reads (views, previews,
downloads) are not changes, as for a form's freshness.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from bot.core.tickets.freshness import READS
from bot.store.models import Ticket, TicketEvent


def latest_change(session: Session, ticket_id: int | None = None) -> dict[str, Any] | None:
    """The newest change of one ticket, or of any ticket: its event id, reference, who and what."""
    query = (
        select(TicketEvent.id, Ticket.reference, TicketEvent.actor, TicketEvent.action)
        .join(Ticket, col(Ticket.id) == col(TicketEvent.ticket_id))
        .where(col(TicketEvent.action).not_in(READS))
        .order_by(col(TicketEvent.id).desc())
        .limit(1)
    )
    if ticket_id is not None:
        query = query.where(TicketEvent.ticket_id == ticket_id)
    row = session.exec(query).first()
    if row is None:
        return None
    event_id, reference, actor, action = row
    return {"id": event_id, "reference": reference, "actor": actor, "action": action}
