"""Tickets as the platform reads them: where an appeal stands and how it ended, never what agents keep.

Built from the core's ticket summary, less everything that is not the platform's to read: the
user's answers and files, internal notes, the history, who reviews it.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlmodel import col, select

from bot.config import Settings
from bot.core.intake.parsing import parse_account
from bot.core.tickets.views import ticket_summary
from bot.store.db import Database
from bot.store.models import Ticket

MAX_LISTED = 100


class PlatformTicket(BaseModel):
    """A ticket's status, outcome and dates."""

    model_config = ConfigDict(title="Ticket", extra="ignore")

    reference: str
    kind: str
    status: str
    outcome: str | None
    reason_category: str | None
    created_at: datetime
    updated_at: datetime
    response_due: datetime | None
    resolution_due: datetime
    clock_paused: bool
    resolved_at: datetime | None
    public_explanation: str | None
    may_appeal_again: bool | None
    appeal_again_after: datetime | None


class PlatformTicketList(BaseModel):
    """An account's tickets, the newest first."""

    model_config = ConfigDict(title="TicketList")

    account: str
    tickets: list[PlatformTicket]


class PlatformTickets:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    def one(self, reference: str) -> PlatformTicket | None:
        with self.db.session() as session:
            ticket = session.exec(select(Ticket).where(Ticket.reference == reference.strip().upper())).first()
            if ticket is None:
                return None
            return PlatformTicket.model_validate(ticket_summary(session, ticket, self.settings).model_dump())

    def of_account(self, account: str) -> PlatformTicketList:
        """Tickets about an account, however the user wrote it (username, profile link, e-mail);
        raises Invalid when `account` is none of those."""
        key = parse_account(account)["key"]
        with self.db.session() as session:
            tickets = session.exec(
                select(Ticket).where(Ticket.account_key == key).order_by(col(Ticket.id).desc()).limit(MAX_LISTED)
            )
            listed = [
                PlatformTicket.model_validate(ticket_summary(session, ticket, self.settings).model_dump())
                for ticket in tickets
            ]
        return PlatformTicketList(account=account, tickets=listed)
