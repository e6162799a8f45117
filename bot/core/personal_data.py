"""A person's data on request: everything held about them, exported; or their personal data erased.

A person is a channel identity (`channel:user_id`). Export gathers what the store holds about them:
their identity, where their conversation is, the web chat's transcript, their rule questions, their
tickets with the public side of each history (never agents' internal notes), and their files with
the bytes. Erasure removes what identifies them or what they wrote, and keeps what the desk must keep
to answer for its decisions: each ticket stays, with its outcome, the hashes of the answers and the
files, and its audit trail, which gets a `personal_data_erased` event naming who erased it.

Raw inbox payloads are not linked to a person in the store (only a channel can read them); they are
purged by retention (core/retention.py) like every handled update.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.evidence import EvidenceStore
from bot.core.modes import Mode
from bot.core.tickets.actors import Actor
from bot.core.tickets.service import TicketService
from bot.core.tickets.views import conversation_row, iso
from bot.store.db import Database
from bot.store.models import (
    Conversation,
    Evidence,
    OutboxMessage,
    RuleAnswer,
    Ticket,
    TicketEvent,
    TranscriptEntry,
    User,
)

ERASED = "[erased]"
KEPT_OF_AN_ANSWER = ("at", "sha256", "skipped")
USER_ACTOR = "user:"  # how the audit trail names the person (core/tickets/service.py)


class NoSuchPerson(LookupError):
    """Nobody with that identity has ever written to the desk."""


@dataclass(frozen=True)
class ExportedFile:
    """One evidence file: its id, its name in the export, and where its bytes are (None once purged)."""

    id: int
    name: str
    source: Path | None


@dataclass(frozen=True)
class Export:
    data: dict[str, Any]
    files: list[ExportedFile]


@dataclass(frozen=True)
class Erased:
    tickets: list[str]
    files: int
    transcript: int


def parse_identity(text: str) -> tuple[str, str]:
    """`channel:user_id`, as every setting names a person; ValueError otherwise."""
    channel, _, user_id = text.partition(":")
    if not channel or not user_id:
        raise ValueError(f"{text!r} is not CHANNEL:USER_ID: the channel, a colon, the person's id there")
    return channel, user_id


class PersonalData:
    def __init__(
        self, db: Database, settings: Settings, clock: Clock, tickets: TicketService, evidence: EvidenceStore
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.tickets = tickets
        self.evidence = evidence

    def export(self, channel: str, user_id: str) -> Export:
        with self.db.session() as session:
            user = _person(session, channel, user_id)
            files = list(session.exec(select(Evidence).where(Evidence.user_id == user.id).order_by(col(Evidence.id))))
            exported = [
                ExportedFile(
                    evidence.id or 0,
                    f"files/{evidence.id}-{evidence.name}",
                    None if evidence.purged_at else Path(evidence.storage_path),
                )
                for evidence in files
            ]
            data = {
                "exported_at": iso(self.clock.now()),
                "identity": {
                    "channel": user.channel,
                    "user_id": user.platform_user_id,
                    "chat_id": user.chat_id,
                    "display_name": user.display_name,
                    "first_contact": iso(user.created_at),
                    "unreachable_since": iso(user.undeliverable_at),
                },
                "conversation": _conversation(session, user),
                "transcript": [
                    {"at": iso(entry.created_at), "from": entry.author, "text": entry.body, "files": entry.files}
                    for entry in _transcript(session, user)
                ],
                "rule_questions": [
                    {"at": iso(row.at), "question": row.question, "outcome": row.outcome, "helpful": row.helpful}
                    for row in session.exec(
                        select(RuleAnswer).where(RuleAnswer.user_id == user.id).order_by(col(RuleAnswer.id))
                    )
                ],
                "tickets": [self._ticket(session, ticket) for ticket in _tickets(session, user)],
                "files": [
                    {
                        "id": evidence.id,
                        "ticket": _reference(session, evidence.ticket_id),
                        "name": evidence.name,
                        "mime_type": evidence.mime_type,
                        "size": evidence.size,
                        "sha256": evidence.sha256,
                        "received_at": iso(evidence.received_at),
                        "caption": evidence.caption,
                        "deleted_at": iso(evidence.purged_at),
                        "in_export": None if evidence.purged_at else item.name,
                    }
                    for evidence, item in zip(files, exported, strict=True)
                ],
            }
        return Export(data, exported)

    def _ticket(self, session: Session, ticket: Ticket) -> dict[str, Any]:
        events = session.exec(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(col(TicketEvent.id))
        ).all()
        return {
            "reference": ticket.reference,
            "kind": ticket.kind,
            "status": ticket.status,
            "account": ticket.account_key,
            "answers": ticket.answers,
            "answers_sha256": ticket.answers_sha256,
            "created_at": iso(ticket.created_at),
            "resolved_at": iso(ticket.resolved_at),
            "outcome": ticket.outcome,
            "reason_category": ticket.reason_category,
            "public_explanation": ticket.public_explanation,
            "facts": ticket.facts,
            "may_appeal_again": ticket.may_appeal_again,
            "appeal_again_after": iso(ticket.appeal_again_after),
            "history": [
                {"at": iso(event.at), "action": event.action, "from": event.from_status, "to": event.to_status}
                for event in events
                if event.from_status != event.to_status
            ],
            # what the person and the team said to each other; internal notes are never in it
            "conversation": [conversation_row(event).json_dict() for event in events if event.public_message],
        }

    def erase(self, channel: str, user_id: str, actor: Actor) -> Erased:
        with self.db.session() as session:
            user = _person(session, channel, user_id)
            files = list(
                session.exec(select(Evidence).where(Evidence.user_id == user.id, col(Evidence.purged_at).is_(None)))
            )
            for evidence in files:
                self.evidence.purge(session, evidence)
            for evidence in session.exec(select(Evidence).where(Evidence.user_id == user.id)):
                evidence.name, evidence.caption = ERASED, None
                session.add(evidence)
            transcript = _transcript(session, user)
            for entry in transcript:
                session.delete(entry)
            tickets = _tickets(session, user)
            settled = col(OutboxMessage.ticket_id).in_([ticket.id for ticket in tickets]) & (
                col(OutboxMessage.status) != "pending"
            )
            session.execute(delete(OutboxMessage).where((col(OutboxMessage.user_id) == user.id) | settled))
            for row in session.exec(select(RuleAnswer).where(RuleAnswer.user_id == user.id)):
                row.question = ERASED
                session.add(row)
            conversation = session.exec(select(Conversation).where(Conversation.user_id == user.id)).first()
            if conversation is not None:
                conversation.mode, conversation.step, conversation.ticket_id = Mode.IDLE, None, None
                conversation.answers, conversation.memo, conversation.history = {}, {}, []
                session.add(conversation)
            references = []
            for ticket in tickets:
                self._erase_ticket(session, ticket, actor)
                references.append(ticket.reference or "")
            placeholder = f"erased-{user.id}"
            user.platform_user_id, user.chat_id, user.display_name = placeholder, placeholder, None
            user.undeliverable_at = user.undeliverable_at or self.clock.now()
            session.add(user)
        return Erased(references, len(files), len(transcript))

    def _erase_ticket(self, session: Session, ticket: Ticket, actor: Actor) -> None:
        """The person's words and identifiers go; the decision, the hashes and the audit trail stay."""
        ticket.answers = {key: _erased_answer(answer) for key, answer in ticket.answers.items()}
        ticket.account_key = ERASED if ticket.account_key is not None else None
        session.add(ticket)
        for event in session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)):
            if event.actor.startswith(USER_ACTOR):  # what the person did, and said
                event.actor = f"{USER_ACTOR}{ERASED}"
                event.public_message = ERASED if event.public_message is not None else None
                event.data = {key: value for key, value in event.data.items() if key in ("file", "files", "sha256")}
                session.add(event)
        self.tickets.custody(session, ticket, "personal_data_erased", {"by": actor.label})


def _person(session: Session, channel: str, user_id: str) -> User:
    user = session.exec(select(User).where(User.channel == channel, User.platform_user_id == user_id)).first()
    if user is None:
        raise NoSuchPerson(f"{channel}:{user_id}")
    return user


def _tickets(session: Session, user: User) -> list[Ticket]:
    return list(session.exec(select(Ticket).where(Ticket.user_id == user.id).order_by(col(Ticket.id))))


def _transcript(session: Session, user: User) -> list[TranscriptEntry]:
    return list(
        session.exec(
            select(TranscriptEntry)
            .where(TranscriptEntry.channel == user.channel, TranscriptEntry.chat_id == user.chat_id)
            .order_by(col(TranscriptEntry.id))
        )
    )


def _conversation(session: Session, user: User) -> dict[str, Any] | None:
    conversation = session.exec(select(Conversation).where(Conversation.user_id == user.id)).first()
    if conversation is None:
        return None
    return {
        "mode": conversation.mode,
        "step": conversation.step,
        "answers_so_far": conversation.answers,
        "started_at": iso(conversation.started_at),
        "updated_at": iso(conversation.updated_at),
    }


def _reference(session: Session, ticket_id: int | None) -> str | None:
    ticket = session.get(Ticket, ticket_id) if ticket_id is not None else None
    return ticket.reference if ticket is not None else None


def _erased_answer(answer: Any) -> Any:
    """The answer's value goes, with anything else it carried; when it was given and its hash stay."""
    if isinstance(answer, dict):
        kept = {key: answer[key] for key in KEPT_OF_AN_ANSWER if key in answer}
        return {**kept, "value": ERASED if answer.get("value") is not None else None}
    return ERASED
