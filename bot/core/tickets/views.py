"""Read-only shapes of a ticket: the stable JSON of `tickets show --json`, cards and /status lines.

Names (of requesters, and of users as actors) and file names come from users: their bidirectional
controls are dropped here, so no agent surface shows a name or a file name that reads backwards.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.core.intake.steps import STEP_BY_KEY, Step
from bot.core.platform.records import latest_action, owner_status
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


class Row(BaseModel):
    """A part of the view: frozen, and dumped under the names the JSON has always used."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    def json_dict(self) -> dict[str, Any]:
        dumped: dict[str, Any] = self.model_dump(by_alias=True)
        return dumped


class AnswerRow(Row):
    key: str
    label: str
    value: Any
    choice_labels: list[str]
    personal: bool
    received_at: str | None
    sha256: str | None


class FileRow(Row):
    id: int | None
    name: str
    mime_type: str
    size: int
    sha256: str
    received_at: str | None
    source: str
    caption: str | None
    purged_at: str | None  # the bytes were deleted (retention, erasure); the record and sha256 stay


class EventRow(Row):
    id: int | None
    at: str | None
    actor: str
    action: str
    from_status: str | None = Field(alias="from")
    to_status: str | None = Field(alias="to")
    public_message: str | None
    internal_note: str | None
    file: int | None


class ConversationRow(Row):
    """One message between the user and the team; internal notes never appear here."""

    at: str | None
    from_: str = Field(alias="from")
    actor: str
    action: str
    text: str | None


class PlatformRecord(Row):
    """The platform's latest account action for the ticket's account, as its systems reported it."""

    action: str
    reason_category: str
    rule_entries: list[str]
    public_explanation: str
    internal_note: str | None
    acting_staff: str
    taken_at: str | None
    recorded_at: str | None


class Requester(Row):
    channel: str | None
    user_id: str | None
    display_name: str | None
    undeliverable: bool


class TicketSummary(Row):
    """A ticket without its history: what cards, alerts, notifications and queue lines show."""

    reference: str | None
    kind: str
    status: str
    outcome: str | None
    reason_category: str | None
    assignee: str | None
    requester: Requester
    account: str | None
    # What the platform has on record for the account, next to what the user says (the evidence).
    platform_record: PlatformRecord | None
    # `verified`, `verified_elsewhere` (the account is linked to another chat identity) or None.
    owner: str | None
    created_at: str | None
    updated_at: str | None
    first_response_due: str | None
    resolution_due: str | None
    response_due: str | None
    next_update_by: str | None
    clock_paused: bool
    waiting_since: str | None
    escalation_level: int
    escalated_at: str | None
    resolved_at: str | None
    queue_position: int
    evidence: list[AnswerRow]
    answers_sha256: str
    checklist: list[str]
    suggested_entries: list[str]
    files: list[FileRow]
    pending_question: str | None
    facts: str | None
    public_explanation: str | None
    may_appeal_again: bool | None
    appeal_again_after: str | None


class TicketView(TicketSummary):
    """The documented, stable JSON shape of a ticket (`tickets show --json`), with its history."""

    events: list[EventRow]
    conversation: list[ConversationRow]


def answer_rows(ticket: Ticket) -> list[AnswerRow]:
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
            AnswerRow(
                key=key,
                label=step.label,
                value=value,
                choice_labels=labels,
                personal=step.personal,
                received_at=answer.get("at"),
                sha256=answer.get("sha256"),
            )
        )
    return rows


def file_rows(session: Session, ticket: Ticket) -> list[FileRow]:
    files = session.exec(select(Evidence).where(Evidence.ticket_id == ticket.id).order_by(col(Evidence.id)))
    return [
        FileRow(
            id=item.id,
            name=neutralise_bidi(item.name),
            mime_type=item.mime_type,
            size=item.size,
            sha256=item.sha256,
            received_at=iso(item.received_at),
            source=item.source,
            caption=item.caption,
            purged_at=iso(item.purged_at),
        )
        for item in files
    ]


def event_row(event: TicketEvent) -> EventRow:
    return EventRow(
        id=event.id,
        at=iso(event.at),
        actor=neutralise_bidi(event.actor),
        action=event.action,
        from_status=event.from_status,
        to_status=event.to_status,
        public_message=event.public_message,
        internal_note=event.internal_note,
        file=event.data.get("file"),
    )


def conversation_row(event: TicketEvent) -> ConversationRow:
    return ConversationRow(
        at=iso(event.at),
        from_="user" if event.actor.startswith("user:") else "agent",
        actor=event.actor,
        action=event.action,
        text=event.public_message,
    )


def platform_record(session: Session, ticket: Ticket) -> PlatformRecord | None:
    action = latest_action(session, ticket.account_key) if ticket.kind == "appeal" and ticket.account_key else None
    if action is None:
        return None
    kept = action.model_dump(include=set(PlatformRecord.model_fields) - {"taken_at", "recorded_at"})
    return PlatformRecord(**kept, taken_at=iso(action.taken_at), recorded_at=iso(action.recorded_at))


def ticket_summary(session: Session, ticket: Ticket, settings: Settings) -> TicketSummary:
    user = session.get(User, ticket.user_id)
    return TicketSummary(
        reference=ticket.reference,
        kind=ticket.kind,
        status=ticket.status,
        outcome=ticket.outcome,
        reason_category=ticket.reason_category,
        assignee=ticket.assignee,
        requester=Requester(
            channel=user.channel if user else None,
            user_id=user.platform_user_id if user else None,
            display_name=neutralise_bidi(user.display_name) if user and user.display_name else None,
            undeliverable=bool(user and user.undeliverable_at),
        ),
        account=ticket.account_key,
        platform_record=platform_record(session, ticket),
        owner=owner_status(session, ticket.account_key, ticket.user_id) if ticket.kind == "appeal" else None,
        created_at=iso(ticket.created_at),
        updated_at=iso(ticket.updated_at),
        first_response_due=iso(ticket.first_response_due),
        resolution_due=iso(ticket.resolution_due),
        response_due=iso(current_due(ticket)),
        next_update_by=iso(next_update_by(ticket, settings)),
        clock_paused=ticket.waiting_since is not None,
        waiting_since=iso(ticket.waiting_since),
        escalation_level=ticket.escalation_level,
        escalated_at=iso(ticket.escalated_at),
        resolved_at=iso(ticket.resolved_at),
        queue_position=queue_position(session, ticket),
        evidence=answer_rows(ticket),
        answers_sha256=ticket.answers_sha256,
        checklist=list(ticket.checklist),
        suggested_entries=list(ticket.suggested_entries),
        files=file_rows(session, ticket),
        pending_question=ticket.pending_question,
        facts=ticket.facts,
        public_explanation=ticket.public_explanation,
        may_appeal_again=ticket.may_appeal_again,
        appeal_again_after=iso(ticket.appeal_again_after),
    )


def full_view(session: Session, ticket: Ticket, settings: Settings) -> TicketView:
    summary = ticket_summary(session, ticket, settings)
    history = list(
        session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(col(TicketEvent.id)))
    )
    return TicketView(
        **dict(summary),
        events=[event_row(event) for event in history],
        conversation=[conversation_row(event) for event in history if event.public_message],
    )


def ticket_view(session: Session, ticket: Ticket, settings: Settings, with_events: bool = True) -> dict[str, Any]:
    """The documented, stable JSON shape of a ticket, as the service hands it to every surface."""
    view = full_view(session, ticket, settings) if with_events else ticket_summary(session, ticket, settings)
    return view.json_dict()
