"""The appeal as one form (a modal) with the same fields as the guided conversation.

Each field is checked with the core's own parsers and choices, and a bad one is shown inline
(response_action: errors). The ticket gets the same answers shape the conversation produces
({key: {"value", "at", "sha256"}}), so agents cannot tell the two apart.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import Session

from bot.channels.slack.blocks import Block, sections
from bot.channels.slack.deps import SlackDeps
from bot.channels.slack.views import input_block, modal, option, read, select_element, text_element
from bot.core.events import Attachment, Button, Identity, Inbound, Reply
from bot.core.intake import parsing
from bot.core.intake.parsing import Invalid
from bot.core.intake.steps import STEPS, Step
from bot.core.replies import Handled, queue_replies
from bot.core.tickets.lifecycle import Refused
from bot.core.tickets.service import canonical_sha256
from bot.store.models import User

log = logging.getLogger(__name__)

FORM = "appeal_form"
FIELDS: tuple[Step, ...] = tuple(step for step in STEPS if step.kind != "summary")
_ALWAYS = next(f.default for f in fields(Step) if f.name == "when")
MAX_FILES_PER_INPUT = 10  # Slack's limit for a file_input


def always_asked(step: Step) -> bool:
    return step.when is _ALWAYS


def required(step: Step) -> bool:
    """Required in the form: conditional fields are checked on submit, once the answers they depend on are known."""
    return not step.optional and step.kind != "files" and step.none_choice is None and always_asked(step)


@dataclass
class FormAnswers:
    """The form read back: answers by step key (in intake order), error hints by field, files to fetch."""

    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    files: list[dict[str, Any]] = field(default_factory=list)


def record(value: Any, at: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """One answer with its integrity record, as the conversation stores it."""
    return {"value": value, "at": at, "sha256": canonical_sha256(value), **(extra or {})}


def parse_field(step: Step, raw: Any, today: date) -> tuple[Any, dict[str, Any]]:
    """The clean value of one field (and extra keys to store), or Invalid with the hint to show."""
    if step.kind == "account":
        account = parsing.parse_account(raw)
        return account["value"], {"key": account["key"], "kind": account["kind"]}
    if step.kind == "choice":
        if step.choice(raw) is None:
            raise Invalid("choice")
        return raw, {}
    if step.kind == "multi":
        if any(step.choice(item) is None for item in raw):
            raise Invalid("multi")
        return [choice.value for choice in step.choices if choice.value in raw], {}
    if step.kind == "date":
        return parsing.parse_date(raw, today).isoformat(), {}
    if step.kind == "year":
        return parsing.parse_year(raw, today), {}
    if step.kind == "email":
        return parsing.parse_email(raw), {}
    if step.kind == "consent":
        if "yes" not in raw:
            raise Invalid("consent_form")
        return True, {}
    return parsing.parse_free_text(raw, step.min_length, step.max_length), {}


def read_form(view: dict[str, Any], today: date, at: str) -> FormAnswers:
    """Walks the steps in order, so conditional ones are only checked when they apply."""
    result = FormAnswers()
    for step in FIELDS:
        if not step.when(result.answers):
            continue
        raw = read(view, step.key)
        if step.kind == "files":
            result.files = raw or []
            continue
        if raw in (None, []):
            if step.none_choice is not None:
                result.answers[step.key] = record(step.none_choice.value, at)
            elif step.optional:
                result.answers[step.key] = {"value": None, "skipped": True, "at": at, "sha256": ""}
            else:
                result.errors[step.key] = "multi_empty" if step.kind == "multi" else "required"
            continue
        try:
            value, extra = parse_field(step, raw, today)
        except Invalid as invalid:
            result.errors[step.key] = invalid.hint
            continue
        result.answers[step.key] = record(value, at, extra)
    return result


class AppealForm:
    def __init__(self, deps: SlackDeps) -> None:
        self.deps = deps
        self.renderer = deps.renderer
        self.settings = deps.settings

    def register(self, app: AsyncApp) -> None:
        app.view(FORM)(self.on_submit)

    async def open(self, client: AsyncWebClient, trigger_id: str) -> None:
        await client.views_open(trigger_id=trigger_id, view=self.view())

    # ---- the form --------------------------------------------------------------------------------

    def view(self) -> dict[str, Any]:
        intro = self.renderer.render("slack/form_intro.j2", self._limits(), "slack_mrkdwn")
        label = self.renderer.label_text
        return modal(
            FORM,
            label("slack.form.title"),
            [*sections(intro), *(self._input(step) for step in FIELDS)],
            label("slack.form.submit"),
            label("slack.modal.cancel"),
        )

    def _input(self, step: Step) -> Block:
        label = self.renderer.label_text
        hint_key = f"slack.form.{step.key}_hint"
        hint = label(hint_key) if self.renderer.has_label(hint_key) else None
        title = label("slack.form.consent") if step.kind == "consent" else label(step.label)
        return input_block(step.key, title, self._element(step), optional=not required(step), hint=hint)

    def _element(self, step: Step) -> Block:
        label = self.renderer.label_text
        options = [option(label(choice.label), choice.value) for choice in step.choices]
        if step.kind == "choice":
            return select_element(options)
        if step.kind == "multi":
            return {"type": "checkboxes", "options": options}
        if step.kind == "consent":
            return {"type": "checkboxes", "options": [option(label("slack.form.consent_option"), "yes")]}
        if step.kind == "date":
            return {"type": "datepicker"}
        if step.kind == "files":
            return {"type": "file_input", "max_files": min(self.settings.evidence_max_files, MAX_FILES_PER_INPUT)}
        if step.kind == "text":
            return text_element(multiline=True, max_length=step.max_length)
        return text_element(max_length=256)

    # ---- submitting ------------------------------------------------------------------------------

    async def on_submit(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Checks every field before the ack (inline errors need it); fetching files and filing run after."""
        now = self.deps.desk.clock.now()
        form = read_form(view, now.date(), now.isoformat())
        errors = {key: self._error(key, hint) for key, hint in form.errors.items()}
        account = form.answers.get("account")
        if account and not errors:
            taken = await asyncio.to_thread(self._account_taken, account["key"], body["user"]["id"])
            if taken:
                errors["account"] = taken
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        user = body["user"]["id"]
        self.deps.tasks.spawn(user, self._file(user, form))

    def _error(self, key: str, hint: str) -> str:
        step = next(step for step in FIELDS if step.key == key)
        context = {"hint": hint, "step": key, "minimum": step.min_length, "maximum": step.max_length, "length": 0}
        return self.renderer.render("slack/form_error.j2", context)

    def _account_taken(self, account_key: str, slack_user: str) -> str | None:
        user = self.deps.desk.user_of("slack", slack_user)
        if user is None:
            return None
        with self.deps.desk.db.session() as session:
            existing = self.deps.desk.tickets.open_appeal_for_account(session, account_key, user.id or 0)
            if existing is None:
                return None
            return self.renderer.render("intake/account_has_appeal.j2", {"reference": existing.reference})

    async def _file(self, slack_user: str, form: FormAnswers) -> None:
        identity = await self.deps.people.identity(slack_user)
        name = await self.deps.people.display_name(slack_user)
        try:
            attachments = await self.deps.files.attachments(form.files)
            handled = await asyncio.to_thread(self._open_ticket, identity, name, form.answers, attachments)
        except Exception:  # the transaction rolled back; the user must hear that it did not work
            log.exception("filing the appeal form of %s failed", slack_user)
            handled = await asyncio.to_thread(self._failed, identity, name)
        await self.deps.replies.deliver(handled.to_send)

    def _failed(self, identity: Identity, name: str | None) -> Handled:
        desk = self.deps.desk
        with desk.db.session() as session:
            user = desk.user_for(session, identity, name)
            failed = [Reply("errors/internal.j2")]
            return queue_replies(session, desk.outbox, Inbound(identity), user.id, failed, self.deps.replies.owner)

    def _open_ticket(
        self, identity: Identity, name: str | None, answers: dict[str, Any], attachments: tuple[Attachment, ...]
    ) -> Handled:
        """Files, ticket and replies in one transaction, like the conversation's submit."""
        desk = self.deps.desk
        suggested = desk.engine.intake.suggest(answers)  # outside the transaction: the rulebook may read the db
        with desk.db.session() as session:
            user = desk.user_for(session, identity, name)
            replies = self._file_in(session, user, answers, attachments, suggested)
            return queue_replies(session, desk.outbox, Inbound(identity), user.id, replies, self.deps.replies.owner)

    def _file_in(
        self,
        session: Session,
        user: User,
        answers: dict[str, Any],
        attachments: tuple[Attachment, ...],
        suggested: list[str],
    ) -> list[Reply]:
        desk = self.deps.desk
        received = desk.evidence.accept_all(
            session, user.id or 0, attachments, "intake", set(), room=self.settings.evidence_max_files
        )
        accepted, refused = received.accepted, received.refused
        ids = [item.id or 0 for item in accepted]
        if ids:
            answers = {**answers, "evidence": record(ids, desk.clock.now().isoformat())}
        ordered = {step.key: answers[step.key] for step in FIELDS if step.key in answers}
        try:
            ticket = desk.tickets.open_ticket(
                session,
                user,
                "appeal",
                ordered,
                account_key=ordered["account"]["key"],
                evidence_ids=ids,
                suggested_entries=suggested,
            )
        except Refused:  # this user filed for the account (elsewhere) since the form was checked
            for item in accepted:
                desk.evidence.discard(session, item)
            existing = desk.tickets.open_appeal_for_account(session, ordered["account"]["key"], user.id or 0)
            reference = existing.reference if existing else ""
            return [Reply("intake/account_has_appeal.j2", {"reference": reference})]
        replies = []
        if refused:
            files = {
                **received.told(),
                "accepted": [],
                "total": len(ids),
                "at_evidence_step": True,
                **self._limits(),
            }
            replies.append(Reply("intake/files_received.j2", files))
        submitted = {
            "reference": ticket.reference,
            "position": desk.tickets.queue_position(session, ticket),
            "due": ticket.first_response_due.isoformat(),
        }
        replies.append(Reply("intake/submitted.j2", submitted, ((Button("go.status", "go:status"),),)))
        return replies

    def _limits(self) -> dict[str, Any]:
        return {
            "max_mb": self.deps.desk.evidence.max_mb,
            "max_files": min(self.settings.evidence_max_files, MAX_FILES_PER_INPUT),
        }
