"""The intake as one form: every answer at once, read and checked the way the guided conversation reads them.

A channel's form (a chat platform's modal, the web form) hands in the raw answers by step key, as typed or
ticked (`{"account": "olegz_dev", "triggers": ["vpn_travel"], ...}`), and gets back the answers
(the records the conversation keeps) and, per step, the message to show beside a field that cannot
be used. Submitting files the same appeal the conversation's Send does, so agents cannot tell the
two apart. When the platform has a record for the account, a field the record answers may stay empty
and takes the record's answer (a field the user filled in is theirs), and the user is shown the record
with their reference, as the conversation shows it before the next question (`on_record.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.core.events import Attachment, Identity, Inbound, Reply
from bot.core.evidence import EvidenceStore
from bot.core.intake import parsing
from bot.core.intake.locales import day_first
from bot.core.intake.on_record import ANSWERABLE, Found, OnRecord
from bot.core.intake.parsing import Invalid, Labeler, Raw, Reading
from bot.core.intake.steps import STEPS, Step, by_platform
from bot.core.intake.submission import Suggest, file_appeal, in_intake_order, record, skipped
from bot.core.replies import INTERNAL_ERROR, Handled, queue_replies
from bot.core.tickets.service import TicketService
from bot.store.models import User

log = logging.getLogger(__name__)

FIELDS: tuple[Step, ...] = tuple(step for step in STEPS if step.kind != "summary")
FIELD_BY_KEY: dict[str, Step] = {step.key: step for step in FIELDS}
RawAnswers = Mapping[str, Raw | None]
UserFor = Callable[[Session, Identity, str | None], User]


def required(step: Step) -> bool:
    """Required on the form. A conditional step is checked once the answers it depends on are known,
    a step with a "none" choice takes an empty field as that choice, a step the platform's record may
    answer is checked once the account is known, and files are never required."""
    return (
        not step.optional
        and step.kind != "files"
        and step.none_choice is None
        and not step.conditional
        and step.key not in ANSWERABLE
    )


def _empty(raw: Raw | None) -> bool:
    return not raw or (isinstance(raw, str) and not raw.strip())


@dataclass
class CheckedForm:
    """The form read back: the answers by step key, in intake order, and a message per field that cannot be used."""

    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: dict[str, Reply] = field(default_factory=dict)
    record: Found | None = None  # the platform's record for the account, when it has one

    @property
    def ok(self) -> bool:
        return not self.errors


class IntakeForm:
    def __init__(
        self,
        tickets: TicketService,
        evidence: EvidenceStore,
        label: Labeler,
        suggest: Suggest,
        user_for: UserFor,
        on_record: OnRecord,
    ) -> None:
        self.tickets = tickets
        self.db = tickets.db
        self.outbox = tickets.outbox
        self.evidence = evidence
        self.label = label
        self.suggest = suggest
        self.user_for = user_for
        self.on_record = on_record

    def check(
        self, raw: RawAnswers, now: datetime, locale: str | None = None, user_id: int | None = None
    ) -> CheckedForm:
        """Reads every field with the intake's parsers, walking the steps in order, so a conditional
        step is only checked when it applies. With the user's id, an account they already have an
        open appeal for is refused on the account field (as the conversation refuses it). The
        platform's record for the account answers the fields it answers that were left empty."""
        reading = Reading(now.date(), self.label, day_first(locale))
        at = now.isoformat()
        checked = CheckedForm()
        for step in FIELDS:
            if step.kind == "files" or not step.applies(checked.answers):
                continue
            value = raw.get(step.key)
            if _empty(value) and checked.record is not None and step.key in checked.record.answers:
                checked.answers[step.key] = checked.record.answers[step.key]
                continue
            if _empty(value):
                self._empty(checked, step, at)
                continue
            assert value is not None  # for mypy: an empty field was handled above
            try:
                parsed = parsing.parse_answer(step, value, reading)
            except parsing.Ambiguous as ambiguous:
                readings = [reading.isoformat() for reading in ambiguous.readings]
                checked.errors[step.key] = _error(step, "date_ambiguous", readings=readings)
                continue
            except Invalid as invalid:
                length = len(value.strip()) if isinstance(value, str) else 0
                checked.errors[step.key] = _error(step, invalid.hint, length=length)
                continue
            checked.answers[step.key] = record(parsed.value, at, parsed.extra)
            if step.kind == "account":
                with self.db.session() as session:
                    checked.record = self.on_record.find(session, parsed.extra["key"], at)
        account = checked.answers.get("account")
        if account and checked.ok and user_id is not None:
            with self.db.session() as session:
                existing = self.tickets.open_appeal_for_account(session, account["key"], user_id)
                if existing is not None:
                    checked.errors["account"] = Reply("intake/account_has_appeal.j2", {"reference": existing.reference})
        return checked

    def _empty(self, checked: CheckedForm, step: Step, at: str) -> None:
        if step.none_choice is not None:
            checked.answers[step.key] = record(step.none_choice.value, at)
        elif step.optional:
            checked.answers[step.key] = skipped(at)
        else:
            checked.errors[step.key] = _error(step, "multi_empty" if step.kind == "multi" else "required")

    def submit(
        self,
        identity: Identity,
        display_name: str | None,
        checked: CheckedForm,
        attachments: tuple[Attachment, ...],
        lease_to: str | None = None,
    ) -> Handled:
        """Files the checked form as an appeal: the files, the ticket and the user's replies in one
        transaction, as the conversation's Send does. Raises if that fails (nothing is kept then)."""
        attachments = self.evidence.prefetch(attachments)  # no transaction waits on a download
        answers = in_intake_order(checked.answers)
        suggested = self.suggest(answers)  # outside the transaction: the rulebook may read the database
        with self.db.session() as session:
            user = self.user_for(session, identity, display_name)
            replies = self._file(session, user, answers, attachments, suggested, checked.record)
            return queue_replies(session, self.outbox, Inbound(identity), user.id, replies, lease_to)

    def failed(self, identity: Identity, display_name: str | None, lease_to: str | None = None) -> Handled:
        """Tells the user their form could not be filed (the transaction rolled back)."""
        with self.db.session() as session:
            user = self.user_for(session, identity, display_name)
            return queue_replies(
                session, self.outbox, Inbound(identity), user.id, [INTERNAL_ERROR], lease_to
            )

    def _file(
        self,
        session: Session,
        user: User,
        answers: dict[str, Any],
        attachments: tuple[Attachment, ...],
        suggested: list[str],
        found: Found | None,
    ) -> list[Reply]:
        received = self.evidence.accept_all(
            session, user.id or 0, attachments, "intake", set(), room=self.evidence.max_files
        )
        ids = [item.id or 0 for item in received.accepted]
        if ids:
            answers = in_intake_order({**answers, "evidence": record(ids, self.tickets.clock.now().isoformat())})
        filed = file_appeal(session, self.tickets, user, answers, suggested)
        if filed.ticket is None:  # an appeal of theirs for the account since the form was checked, or its weekly cap
            for item in received.accepted:
                self.evidence.discard(session, item)
            return [filed.reply]
        replies = [filed.reply]
        if received.refused:
            told = {**received.told(), "accepted": [], "total": len(ids), "at_evidence_step": True}
            replies.insert(0, Reply("intake/files_received.j2", {**told, **self.evidence.limits}))
        if found is not None:
            filled = [key for key, answer in answers.items() if by_platform(answer)]
            replies.insert(0, self.on_record.told(found, filled, sent=True))
        return replies


def _error(step: Step, hint: str, **context: Any) -> Reply:
    """The message beside a field, from the same hints the conversation gives (worded for a form)."""
    values = {"hint": hint, "step": step.key, "minimum": step.min_length, "maximum": step.max_length}
    return Reply("intake/form_error.j2", {**values, "in_parts": False, "length": 0, **context})
