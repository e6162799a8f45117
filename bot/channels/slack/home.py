"""The App Home tab: the user's appeals and where they stand, a way to start one, and a rules search."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.models.blocks import DividerBlock, InputBlock, PlainTextInputElement
from slack_sdk.models.blocks.basic_components import DispatchActionConfig
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.blocks import Block, actions, button, plain_text, sections
from bot.channels.slack.deps import SlackDeps
from bot.channels.slack.dm import DirectMessages
from bot.channels.slack.modal_intake import AppealForm
from bot.channels.slack.views import MAX_LABEL, MAX_PLACEHOLDER
from bot.core.events import Inbound
from bot.core.tickets.views import ticket_view

START = "home:appeal"
FORM = "home:form"
STATUS = "home:status"
SEARCH = "home:search"


class Home:
    def __init__(self, deps: SlackDeps, dms: DirectMessages, form: AppealForm) -> None:
        self.deps = deps
        self.dms = dms
        self.form = form

    def register(self, app: AsyncApp) -> None:
        app.event("app_home_opened")(self.on_opened)
        app.action(START)(self.on_start)
        app.action(STATUS)(self.on_status)
        app.action(FORM)(self.on_form)
        app.action(SEARCH)(self.on_search)

    async def on_opened(self, event: dict[str, Any]) -> None:
        if event.get("tab") != "home":
            return
        user = str(event["user"])
        if event.get("channel"):
            self.deps.people.remember_im(user, str(event["channel"]))
        self.deps.tasks.spawn(user, self.publish(user))

    async def publish(self, user: str) -> None:
        tickets = await asyncio.to_thread(self._tickets, user)
        await self.deps.client.views_publish(user_id=user, view={"type": "home", "blocks": self.blocks(tickets)})

    def _tickets(self, slack_user: str) -> list[dict[str, Any]]:
        user = self.deps.desk.user_of("slack", slack_user)
        if user is None:
            return []
        desk = self.deps.desk
        with desk.db.session() as session:
            return [
                ticket_view(session, ticket, self.deps.settings, with_events=False)
                for ticket in desk.tickets.tickets_of(session, user.id or 0)
            ]

    def blocks(self, tickets: list[dict[str, Any]]) -> list[Block]:
        label = self.deps.renderer.label_text
        text = self.deps.renderer.render("slack/home.j2", {"tickets": tickets}, "slack_mrkdwn")
        search = InputBlock(
            block_id="search",
            dispatch_action=True,
            label=plain_text(label("slack.home.search"), MAX_LABEL),
            element=PlainTextInputElement(
                action_id=SEARCH,
                placeholder=plain_text(label("slack.home.search_placeholder"), MAX_PLACEHOLDER),
                dispatch_action_config=DispatchActionConfig(trigger_actions_on=["on_enter_pressed"]),
            ),
        )
        buttons = [
            button(label("slack.home.start"), START, "go:appeal", "primary"),
            button(label("slack.home.form"), FORM, "form"),
            button(label("slack.home.status"), STATUS, "go:status"),
        ]
        return [*sections(text)[:90], *actions(buttons), DividerBlock().to_dict(), search.to_dict()]

    async def on_start(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        self._in_dm(body["user"]["id"], payload="go:appeal")

    async def on_status(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        self._in_dm(body["user"]["id"], payload="go:status")

    async def on_form(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await self.form.open(client, body["trigger_id"])

    async def on_search(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        """A rule question from Home is answered in the DM, where the answer's buttons work."""
        await ack()
        question = str(action.get("value") or "").strip()
        if question:
            self._in_dm(body["user"]["id"], text=f"/ask {question}")

    def _in_dm(self, user: str, text: str = "", payload: str | None = None) -> None:
        async def run() -> None:
            identity = await self.deps.people.identity(user)
            name = await self.deps.people.display_name(user)
            await self.dms.converse(Inbound(identity, text=text, payload=payload, display_name=name))

        self.deps.tasks.spawn(user, run())
