"""What an intake files: each answer's record, and the appeal ticket opened from them.

The guided conversation and the one-page form keep answers in the same records and file them
here, so a ticket does not show which way it came in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from bot.core.events import Button, Reply
from bot.core.intake.steps import applicable
from bot.core.tickets.lifecycle import Refused
from bot.core.tickets.service import TicketService, canonical_sha256
from bot.store.models import Ticket, User

Suggest = Callable[[dict[str, Any]], list[str]]


def record(value: Any, at: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One answer with its integrity record: the value, when it was given, and its sha256."""
    return {"value": value, "at": at, "sha256": canonical_sha256(value), **(extra or {})}


def skipped(at: str) -> dict[str, Any]:
    """An optional step the user left out: kept, so the reviewer sees it was asked."""
    return {"value": None, "skipped": True, "at": at, "sha256": ""}


def evidence_ids(answers: Mapping[str, Any]) -> list[int]:
    value = (answers.get("evidence") or {}).get("value")
    return [int(item) for item in value] if isinstance(value, list) else []


def in_intake_order(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers of the steps that apply, in the order of the steps; drafts and answers to steps
    that no longer apply (an e-mail address, after choosing "here in this chat") are left out."""
    return {step.key: answers[step.key] for step in applicable(answers) if step.key in answers}


@dataclass(frozen=True)
class Filed:
    """The appeal opened and the user's confirmation, or no ticket and the appeal they already have."""

    ticket: Ticket | None
    reply: Reply


def file_appeal(
    session: Session, tickets: TicketService, user: User, answers: Mapping[str, Any], suggested: list[str]
) -> Filed:
    """Opens the appeal with the answers of the steps that apply, in intake order, unless the account has had
    as many appeals this week as it may."""
    ordered = in_intake_order(answers)
    account_key = (ordered.get("account") or {}).get("key")
    until = tickets.limits.next_appeal_at(session, account_key, tickets.clock.now())
    if until is not None:
        return Filed(None, tickets.limits.appeal_limit(until))
    try:
        ticket = tickets.open_ticket(
            session,
            user,
            "appeal",
            ordered,
            account_key=account_key,
            evidence_ids=evidence_ids(ordered),
            suggested_entries=suggested,
        )
    except Refused:  # this user has an open appeal for the account (filed in between, or elsewhere)
        existing = tickets.open_appeal_for_account(session, account_key or "", user.id or 0)
        return Filed(None, Reply("intake/account_has_appeal.j2", {"reference": existing.reference if existing else ""}))
    submitted = {
        "reference": ticket.reference,
        "position": tickets.queue_position(session, ticket),
        "due": ticket.first_response_due.isoformat(),
        "owner_elsewhere": "checklist.owner_elsewhere" in ticket.checklist,
    }
    return Filed(ticket, Reply("intake/submitted.j2", submitted, buttons=((Button("go.status", "go:status"),),)))
