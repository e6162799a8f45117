"""The console's queue: which tickets a filtered, searched page of the queue holds, the most urgent first.

Filters narrow in the database (status, kind, who holds it, channel, escalated); whether a ticket is
overdue and the search (reference, account, e-mail, requester's name) are read per ticket, since the
due time and the answers are not columns a query can compare. Rows carry only what a card shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from sqlmodel import Session, col, select

from bot.core.sla import current_due
from bot.core.tickets.lifecycle import ENDINGS
from bot.core.tickets.queue import LIST_FILTERS, statuses_for
from bot.store.models import Ticket, User

Holder = Literal["anyone", "me", "unassigned"]
HOLDERS: tuple[str, ...] = get_args(Holder)
KINDS = tuple(ENDINGS)
PAGE_SIZES = (25, 50, 100)
SEARCHED_ANSWERS = ("account", "contact_email")


@dataclass(frozen=True)
class QueueQuery:
    """What an agent asked the queue for; `from_params` reads it from a page's query string."""

    status: str = "open"
    kind: str = ""
    holder: Holder = "anyone"
    channel: str = ""
    overdue: bool = False
    escalated: bool = False
    search: str = ""
    page: int = 1
    page_size: int = PAGE_SIZES[0]

    @classmethod
    def from_params(cls, params: dict[str, str]) -> QueueQuery:
        """Unknown values fall back to the defaults: a hand-edited address still shows a queue."""

        def number(name: str, default: int) -> int:
            value = params.get(name, "")
            return int(value) if value.isdigit() and int(value) > 0 else default

        holder = params.get("assignee", "anyone")
        size = number("size", PAGE_SIZES[0])
        return cls(
            status=params.get("status", "open") if params.get("status") in LIST_FILTERS else "open",
            kind=params.get("kind", "") if params.get("kind") in KINDS else "",
            holder=holder if holder in HOLDERS else "anyone",  # type: ignore[arg-type]
            channel=params.get("channel", "").strip()[:32],
            overdue=params.get("overdue") == "1",
            escalated=params.get("escalated") == "1",
            search=params.get("q", "").strip()[:200],
            page=number("page", 1),
            page_size=size if size in PAGE_SIZES else PAGE_SIZES[0],
        )


@dataclass(frozen=True)
class QueuePage:
    tickets: list[Ticket]
    total: int
    query: QueueQuery

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.page_size))


def overdue(ticket: Ticket, now: datetime) -> bool:
    return ticket.status != "resolved" and now > current_due(ticket)


def matches(ticket: Ticket, requester: User, search: str) -> bool:
    """The reference, the account, the contact e-mail or the requester's name contains the search."""
    wanted = search.casefold()
    values = [ticket.reference or "", ticket.account_key or "", requester.display_name or ""]
    values += [str((ticket.answers.get(key) or {}).get("value") or "") for key in SEARCHED_ANSWERS]
    return any(wanted in value.casefold() for value in values)


def browse(session: Session, query: QueueQuery, me: str, now: datetime) -> QueuePage:
    """One page of the queue for the agent labelled `me`, ordered by the time each ticket is due."""
    chosen = select(Ticket, User).join(User, col(User.id) == col(Ticket.user_id))
    chosen = chosen.where(col(Ticket.status).in_(statuses_for(query.status)))
    if query.kind:
        chosen = chosen.where(Ticket.kind == query.kind)
    if query.holder == "me":
        chosen = chosen.where(Ticket.assignee == me)
    elif query.holder == "unassigned":
        chosen = chosen.where(col(Ticket.assignee).is_(None))
    if query.channel:
        chosen = chosen.where(User.channel == query.channel)
    if query.escalated:
        chosen = chosen.where(Ticket.escalation_level > 0)
    found = [
        ticket
        for ticket, requester in session.exec(chosen)
        if (not query.overdue or overdue(ticket, now)) and (not query.search or matches(ticket, requester, query.search))
    ]
    found.sort(key=lambda ticket: (current_due(ticket), ticket.id or 0))
    start = (query.page - 1) * query.page_size
    return QueuePage(found[start : start + query.page_size], len(found), query)


def channels(session: Session) -> list[str]:
    """The channels requesters came from, for the channel filter."""
    return sorted(session.exec(select(User.channel).distinct()))


def query_params(query: QueueQuery, **changes: Any) -> dict[str, str]:
    """The query string of `query` with `changes` (a page link keeps every filter)."""
    values = {**query.__dict__, **changes}
    params = {
        "status": values["status"],
        "kind": values["kind"],
        "assignee": values["holder"],
        "channel": values["channel"],
        "overdue": "1" if values["overdue"] else "",
        "escalated": "1" if values["escalated"] else "",
        "q": values["search"],
        "page": str(values["page"]),
        "size": str(values["page_size"]),
    }
    return {key: value for key, value in params.items() if value}
