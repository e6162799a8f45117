"""Read-only shapes of a ticket: the stable JSON of `tickets show --json`, cards and /status lines.

Names (of requesters, and of users as actors) and file names come from users: their bidirectional
controls are dropped here, so no agent surface shows a name or a file name that reads backwards.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.core.intake.steps import STEP_BY_KEY, Step
from bot.core.sla import current_due, next_update_by
from bot.core.text import neutralise_bidi
from bot.store.models import Evidence, Ticket, TicketEvent, User

# A question ticket holds what the user asked under this key, shown like an intake answer.
QUESTION = Step("question", "text")
FIELDS = {**STEP_BY_KEY, QUESTION.key: QUESTION}


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def queue_position(session: Session, ticket: Ticket) -> int:
    """How many new tickets are ahead of this one, plus one; 0 once a reviewer has it."""
    if ticket.status != "new":
        return 0
    ahead = session.exec(
        select(func.count()).select_from(Ticket).where(Ticket.status == "new", col(Ticket.id) < ticket.id)
    ).one()
    return int(ahead) + 1


def answer_rows(ticket: Ticket) -> list[dict[str, Any]]:
    """The structured evidence in intake order (or a question ticket's question), with integrity records."""
    rows = []
    for key, answer in ticket.answers.items():
        if not isinstance(answer, dict) or key not in FIELDS or key == "evidence":
            continue  # files are listed with their own integrity record
        step = FIELDS[key]
        value = answer.get("value")
        if isinstance(value, bool):
            value = "yes" if value else "no"
        labels = [
            choice.label
            for choice in step.choices + ((step.none_choice,) if step.none_choice else ())
            if choice.value in (value if isinstance(value, list) else [value])
        ]
        rows.append(
            {
                "key": key,
                "label": step.label,
                "value": value,
                "choice_labels": labels,
                "personal": step.personal,
                "received_at": answer.get("at"),
                "sha256": answer.get("sha256"),
            }
        )
    return rows


def file_rows(session: Session, ticket: Ticket) -> list[dict[str, Any]]:
    files = session.exec(select(Evidence).where(Evidence.ticket_id == ticket.id).order_by(col(Evidence.id)))
    return [
        {
            "id": item.id,
            "name": neutralise_bidi(item.name),
            "mime_type": item.mime_type,
            "size": item.size,
            "sha256": item.sha256,
            "received_at": iso(item.received_at),
            "source": item.source,
            "caption": item.caption,
        }
        for item in files
    ]


def event_row(event: TicketEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": iso(event.at),
        "actor": neutralise_bidi(event.actor),
        "action": event.action,
        "from": event.from_status,
        "to": event.to_status,
        "public_message": event.public_message,
        "internal_note": event.internal_note,
        "file": event.data.get("file"),
    }


def conversation_row(event: TicketEvent) -> dict[str, Any]:
    """One message between the user and the team; internal notes never appear here."""
    return {
        "at": iso(event.at),
        "from": "user" if event.actor.startswith("user:") else "agent",
        "actor": event.actor,
        "action": event.action,
        "text": event.public_message,
    }


def ticket_view(session: Session, ticket: Ticket, settings: Settings, with_events: bool = True) -> dict[str, Any]:
    """The documented, stable JSON shape of a ticket."""
    user = session.get(User, ticket.user_id)
    view: dict[str, Any] = {
        "reference": ticket.reference,
        "kind": ticket.kind,
        "status": ticket.status,
        "outcome": ticket.outcome,
        "reason_category": ticket.reason_category,
        "assignee": ticket.assignee,
        "requester": {
            "channel": user.channel if user else None,
            "user_id": user.platform_user_id if user else None,
            "display_name": neutralise_bidi(user.display_name) if user and user.display_name else None,
            "undeliverable": bool(user and user.undeliverable_at),
        },
        "account": ticket.account_key,
        "created_at": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
        "first_response_due": iso(ticket.first_response_due),
        "resolution_due": iso(ticket.resolution_due),
        "response_due": iso(current_due(ticket)),
        "next_update_by": iso(next_update_by(ticket, settings)),
        "clock_paused": ticket.waiting_since is not None,
        "waiting_since": iso(ticket.waiting_since),
        "escalation_level": ticket.escalation_level,
        "escalated_at": iso(ticket.escalated_at),
        "resolved_at": iso(ticket.resolved_at),
        "queue_position": queue_position(session, ticket),
        "evidence": answer_rows(ticket),
        "answers_sha256": ticket.answers_sha256,
        "checklist": list(ticket.checklist),
        "suggested_entries": list(ticket.suggested_entries),
        "files": file_rows(session, ticket),
        "pending_question": ticket.pending_question,
        "facts": ticket.facts,
        "public_explanation": ticket.public_explanation,
        "may_appeal_again": ticket.may_appeal_again,
        "appeal_again_after": iso(ticket.appeal_again_after),
    }
    if with_events:
        events = session.exec(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(col(TicketEvent.id))
        )
        history = list(events)
        view["events"] = [event_row(event) for event in history]
        view["conversation"] = [conversation_row(event) for event in history if event.public_message]
    return view
