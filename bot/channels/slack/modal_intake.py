"""The appeal as one form (a modal) with the same fields as the guided conversation.

The core's intake form reads and checks the fields (`bot/core/intake/form.py`), and a bad one is
shown inline (response_action: errors); it also files the appeal, with the answers the
conversation would have given, so agents cannot tell the two apart.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.models.blocks import CheckboxesElement, DatePickerElement, InputInteractiveElement
from slack_sdk.models.blocks.block_elements import FileInputElement  # not re-exported by slack_sdk.models.blocks
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.blocks import Block, sections
from bot.channels.slack.deps import SlackDeps
from bot.channels.slack.views import input_block, modal, option, read, select_element, text_element
from bot.core.intake.form import FIELDS, CheckedForm, RawAnswers, required
from bot.core.intake.steps import Step

log = logging.getLogger(__name__)

FORM = "appeal_form"
MAX_FILES_PER_INPUT = 10  # Slack's limit for a file_input


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

    def _element(self, step: Step) -> InputInteractiveElement:
        label = self.renderer.label_text
        options = [option(label(choice.label), choice.value) for choice in step.choices]
        if step.kind == "choice":
            return select_element(options)
        if step.kind == "multi":
            return CheckboxesElement(options=options)
        if step.kind == "consent":
            return CheckboxesElement(options=[option(label("slack.form.consent_option"), "yes")])
        if step.kind == "date":
            return DatePickerElement()
        if step.kind == "files":
            return FileInputElement(max_files=min(self.settings.evidence_max_files, MAX_FILES_PER_INPUT))
        if step.kind == "text":
            return text_element(multiline=True, max_length=step.max_length)
        return text_element(max_length=256)

    # ---- submitting ------------------------------------------------------------------------------

    async def on_submit(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Checks every field before the ack (inline errors need it); fetching files and filing run after."""
        user = body["user"]["id"]
        checked = await asyncio.to_thread(self._check, view, user)
        if not checked.ok:
            errors = {key: self.renderer.render(error.template, error.context) for key, error in checked.errors.items()}
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        self.deps.tasks.spawn(user, self._file(user, checked, read(view, "evidence") or []))

    def _check(self, view: dict[str, Any], slack_user: str) -> CheckedForm:
        raw: RawAnswers = {step.key: read(view, step.key) for step in FIELDS}
        known = self.deps.desk.user_of("slack", slack_user)
        return self.deps.desk.intake_form.check(raw, self.deps.desk.clock.now(), user_id=known.id if known else None)

    async def _file(self, slack_user: str, checked: CheckedForm, files: list[dict[str, Any]]) -> None:
        form = self.deps.desk.intake_form
        identity = await self.deps.people.identity(slack_user)
        name = await self.deps.people.display_name(slack_user)
        owner = self.deps.replies.owner
        try:
            attachments = await self.deps.files.attachments(files)
            handled = await asyncio.to_thread(form.submit, identity, name, checked, attachments, owner)
        except Exception:  # the transaction rolled back; the user must hear that it did not work
            log.exception("filing the appeal form of %s failed", slack_user)
            handled = await asyncio.to_thread(form.failed, identity, name, owner)
        await self.deps.replies.deliver(handled.to_send)

    def _limits(self) -> dict[str, Any]:
        return {
            "max_mb": self.deps.desk.evidence.max_mb,
            "max_files": min(self.settings.evidence_max_files, MAX_FILES_PER_INPUT),
        }
