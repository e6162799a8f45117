"""Response targets: when a user hears from us next, at the latest.

While a ticket waits for the user's answer, its response clock is paused: the time the user takes
is not counted against our promise. When they answer, the resolution target moves on by the time
spent waiting.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from bot.config import Settings
from bot.store.models import Ticket


def current_due(ticket: Ticket) -> datetime:
    """The target the ticket is now measured against: first response, then resolution."""
    return ticket.first_response_due if ticket.first_response_at is None else ticket.resolution_due


def next_update_by(ticket: Ticket, settings: Settings) -> datetime | None:
    """When the user hears from us next at the latest; None while we wait for them, once reminded."""
    heartbeat = ticket.last_user_update_at + settings.status_update_interval
    if ticket.waiting_since is not None:
        return heartbeat if ticket.waiting_reminded_at is None else None
    due = current_due(ticket)
    return min(heartbeat, due) if due > ticket.last_user_update_at else heartbeat


def pause(ticket: Ticket, at: datetime) -> None:
    """We asked the user something: the clock stops until they answer."""
    ticket.waiting_since = at
    ticket.waiting_reminded_at = None


def resume(ticket: Ticket, at: datetime) -> timedelta:
    """The wait is over: the resolution target moves on by the time spent waiting, which is returned."""
    if ticket.waiting_since is None:
        return timedelta(0)
    waited = max(timedelta(0), at - ticket.waiting_since)
    ticket.resolution_due += waited
    ticket.waiting_since = ticket.waiting_reminded_at = None
    return waited


def hours_left(ticket: Ticket) -> int | None:
    """While paused: how many hours, at most, the reviewer will take to decide once the user answers."""
    if ticket.waiting_since is None:
        return None
    return max(0, math.ceil((ticket.resolution_due - ticket.waiting_since).total_seconds() / 3600))
