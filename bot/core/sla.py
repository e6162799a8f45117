"""Response targets: when a user hears from us next, at the latest."""

from __future__ import annotations

from datetime import datetime

from bot.config import Settings
from bot.store.models import Ticket


def current_due(ticket: Ticket) -> datetime:
    """The target the ticket is now measured against: first response, then resolution."""
    return ticket.first_response_due if ticket.first_response_at is None else ticket.resolution_due


def next_update_by(ticket: Ticket, settings: Settings) -> datetime:
    heartbeat = ticket.last_user_update_at + settings.status_update_interval
    due = current_due(ticket)
    return min(heartbeat, due) if due > ticket.last_user_update_at else heartbeat


def is_overdue(ticket: Ticket, now: datetime) -> bool:
    return now > current_due(ticket)
