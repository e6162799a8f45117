"""Agents work tickets from the card: Claim, Request info, Reply, Add note, Resolve, Reopen, View details.

Which of them a card shows is the core's `available_actions`; each has its own listener here.

Each button and each modal has its own listener; only configured agents get through to them
(`guard.AgentsOnly`, bolt middleware; the core checks again). Modals open right after the click, since
a trigger_id is only valid for 3 s; the slow part (the core, Slack calls) runs after the ack.
A view submission waits for the core, so a refused decision is shown inline on the field it is about.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.models.blocks import RadioButtonsElement
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.blocks import sections
from bot.channels.slack.card import AGENT_ACTION_PREFIX, parse_action_value
from bot.channels.slack.deps import SlackDeps
from bot.channels.slack.guard import REFUSAL, AgentsOnly, actor_of
from bot.channels.slack.views import input_block, modal, option, read, select_element, text_element
from bot.core.tickets.actions import AgentAction
from bot.core.tickets.actors import Actor
from bot.core.tickets.lifecycle import ENDINGS, OUTCOMES, REASON_CATEGORIES, Refused, category_label

INFO = "agent_info"
REPLY = "agent_reply"
NOTE = "agent_note"
RESOLVE = "agent_resolve"
REOPEN = "agent_reopen"
DETAILS = "agent_details"

# Which modal field a refusal from the core is about; anything else is shown on the first field.
FIELD_OF_REFUSAL = {
    "question_missing": "message",
    "reply_missing": "message",
    "note_missing": "message",
    "outcome": "outcome",
    "reason": "reason",
    "facts_missing": "facts",
    "explanation_missing": "explanation",
    "appeal_again_missing": "again",
    "appeal_again_date": "again_after",
    "appeal_again_past": "again_after",
}
# Where any other refusal is shown: each modal's first field.
FIRST_FIELD = {INFO: "message", REPLY: "message", NOTE: "message", RESOLVE: "outcome", REOPEN: "message"}
Listener = Callable[..., Awaitable[None]]


def _reference(action: dict[str, Any]) -> str:
    return parse_action_value(str(action["value"]))[1]


class AgentDesk:
    def __init__(self, deps: SlackDeps) -> None:
        self.deps = deps
        self.label = deps.renderer.label_text

    def register(self, app: AsyncApp) -> None:
        """One listener per button and per modal, each behind the agents-only middleware."""
        guard = AgentsOnly(self.deps)
        buttons: dict[AgentAction, Listener] = {
            AgentAction.CLAIM: self.on_claim,
            AgentAction.REQUEST_INFO: self._opens(lambda action: self._text_modal(INFO, "info", _reference(action))),
            AgentAction.REPLY: self._opens(lambda action: self._text_modal(REPLY, "reply", _reference(action))),
            AgentAction.NOTE: self._opens(lambda action: self._text_modal(NOTE, "note", _reference(action))),
            AgentAction.RESOLVE: self._opens(
                lambda action: self._resolve_modal(*parse_action_value(str(action["value"])))
            ),
            AgentAction.REOPEN: self._opens(
                lambda action: self._text_modal(REOPEN, "reopen", _reference(action), optional=True)
            ),
            AgentAction.DETAILS: self.on_details,
        }
        for name, listener in buttons.items():
            app.action(AGENT_ACTION_PREFIX + name.value, middleware=[guard.click])(listener)
        submissions = {
            INFO: self.on_info,
            REPLY: self.on_reply,
            NOTE: self.on_note,
            RESOLVE: self.on_resolve,
            REOPEN: self.on_reopen,
        }
        for callback_id, submitted in submissions.items():
            app.view(callback_id, middleware=[guard.submission(FIRST_FIELD[callback_id])])(submitted)

    # ---- buttons on the card ---------------------------------------------------------------------

    async def on_claim(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        actor = actor_of(body["user"])
        self.deps.tasks.spawn(actor.id, self._claim(body["channel"]["id"], actor, _reference(action)))

    async def on_details(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        await self._details(
            client, body["trigger_id"], body["channel"]["id"], actor_of(body["user"]), _reference(action)
        )

    @staticmethod
    def _opens(build: Callable[[dict[str, Any]], dict[str, Any]]) -> Listener:
        """A button's listener that acks and opens a modal at once: a trigger_id is valid for 3 s only."""

        async def listener(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
            await ack()
            await client.views_open(trigger_id=body["trigger_id"], view=build(action))

        return listener

    async def _claim(self, channel: str, actor: Actor, reference: str) -> None:
        """The card itself is updated by the outbox, like after any other change."""
        try:
            await asyncio.to_thread(self.deps.desk.tickets.claim, reference, actor)
        except Refused as refusal:
            await self._refuse(channel, actor.id, refusal)

    async def _details(self, client: AsyncWebClient, trigger: str, channel: str, actor: Actor, reference: str) -> None:
        """Everything, personal data included, for this agent only; the core logs the access."""
        try:
            view = await asyncio.to_thread(self.deps.desk.tickets.show, reference, actor)
        except Refused as refusal:
            await self._refuse(channel, actor.id, refusal)
            return
        text = self.deps.renderer.render("agents/ticket_detail.j2", {"ticket": view}, "slack_mrkdwn")
        details = modal(
            DETAILS, self.label("slack.modal.details_title"), sections(text), None, self.label("slack.modal.close")
        )
        await client.views_open(trigger_id=trigger, view=details)

    async def _refuse(self, channel: str, user: str, refusal: Refused) -> None:
        await self.deps.chat.ephemeral(channel, user, REFUSAL, {"code": refusal.code, **refusal.context})

    # ---- modals ----------------------------------------------------------------------------------

    def _text_modal(self, callback_id: str, name: str, reference: str, optional: bool = False) -> dict[str, Any]:
        field = input_block(
            "message",
            self.label(f"slack.modal.{name}_label"),
            text_element(multiline=True),
            optional=optional,
            hint=self.label(f"slack.modal.{name}_hint"),
        )
        return modal(
            callback_id,
            self.label(f"slack.modal.{name}_title"),
            [*sections(f"*{reference}*"), field],
            self.label(f"slack.modal.{name}_submit"),
            self.label("slack.modal.cancel"),
            reference,
        )

    def _resolve_modal(self, kind: str, reference: str) -> dict[str, Any]:
        if ENDINGS.get(kind, ENDINGS["appeal"]).answer_only:
            return self._answer_modal(reference)
        label = self.label
        outcomes = [option(value, value) for value in OUTCOMES.get(kind, OUTCOMES["appeal"])]
        reasons = [option(label(category_label(value)), value) for value in REASON_CATEGORIES]
        again = RadioButtonsElement(
            options=[option(label("slack.modal.again_yes"), "yes"), option(label("slack.modal.again_no"), "no")]
        )
        blocks = [
            *sections(f"*{reference}*"),
            input_block("outcome", label("slack.modal.outcome"), select_element(outcomes)),
            input_block("reason", label("slack.modal.reason"), select_element(reasons)),
            input_block(
                "facts", label("slack.modal.facts"), text_element(multiline=True), hint=label("slack.modal.facts_hint")
            ),
            input_block(
                "explanation",
                label("slack.modal.explanation"),
                text_element(multiline=True),
                hint=label("slack.modal.explanation_hint"),
            ),
            input_block(
                "again", label("slack.modal.again"), again, optional=True, hint=label("slack.modal.again_hint")
            ),
            input_block(
                "again_after",
                label("slack.modal.again_after"),
                text_element(max_length=40, placeholder=label("slack.modal.again_after_placeholder")),
                optional=True,
            ),
        ]
        return modal(
            RESOLVE,
            label("slack.modal.resolve_title"),
            blocks,
            label("slack.modal.resolve_submit"),
            label("slack.modal.cancel"),
            reference,
        )

    def _answer_modal(self, reference: str) -> dict[str, Any]:
        """A question is resolved by answering it: no outcome, reason or facts to choose."""
        field = input_block(
            "explanation",
            self.label("slack.modal.answer"),
            text_element(multiline=True),
            hint=self.label("slack.modal.answer_hint"),
        )
        return modal(
            RESOLVE,
            self.label("slack.modal.answer_title"),
            [*sections(f"*{reference}*"), field],
            self.label("slack.modal.answer_submit"),
            self.label("slack.modal.cancel"),
            reference,
        )

    # ---- submissions -----------------------------------------------------------------------------

    async def on_info(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        message = read(view, "message") or ""
        await self._submit(ack, body, lambda ref, actor: self.deps.desk.tickets.request_info(ref, actor, message))

    async def on_reply(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        message = read(view, "message") or ""
        await self._submit(ack, body, lambda ref, actor: self.deps.desk.tickets.reply(ref, actor, message))

    async def on_note(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        text = read(view, "message") or ""
        await self._submit(ack, body, lambda ref, actor: self.deps.desk.tickets.note(ref, actor, text))

    async def on_reopen(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        message = read(view, "message")
        await self._submit(ack, body, lambda ref, actor: self.deps.desk.tickets.reopen(ref, actor, message))

    async def on_resolve(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        again = read(view, "again")
        after = read(view, "again_after")

        def resolve(reference: str, actor: Actor) -> Any:
            return self.deps.desk.tickets.resolve(
                reference,
                actor,
                outcome=read(view, "outcome") or "",
                reason=read(view, "reason"),
                message=read(view, "explanation") or "",
                facts=read(view, "facts"),
                may_appeal_again=None if again is None else again == "yes",
                appeal_again_after=after,
            )

        await self._submit(ack, body, resolve)

    async def _submit(self, ack: AsyncAck, body: dict[str, Any], action: Callable[[str, Actor], Any]) -> None:
        """Runs the action before acking: the core's answer decides between closing and inline errors."""
        view = body["view"]
        reference = str(view.get("private_metadata") or "")
        try:
            await asyncio.to_thread(action, reference, actor_of(body["user"]))
        except Refused as refusal:
            text = self.deps.renderer.render(REFUSAL, {"code": refusal.code, **refusal.context})
            field = FIELD_OF_REFUSAL.get(refusal.code, FIRST_FIELD[view["callback_id"]])
            await ack(response_action="errors", errors={field: text})
            return
        await ack()
