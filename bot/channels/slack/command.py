"""`/appeal` in Slack: the core's chat commands under one slash command, answered in the user's DM.

Slack takes every message that starts with "/" as a slash command, so the core's /status, /ask,
/cancel... are reached as `/appeal status`, `/appeal ask ...`, and the admins' /kb as
`/appeal kb test ...` (the core decides who is an admin); `/appeal form` opens the form.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.deps import SlackDeps
from bot.channels.slack.dm import DirectMessages
from bot.channels.slack.inbound import plain_text
from bot.channels.slack.modal_intake import AppealForm
from bot.channels.slack.plugin import COMMAND
from bot.core.events import Inbound

SUBCOMMANDS = ("status", "help", "cancel", "ask", "add", "human", "back", "start", "new", "kb")


def core_command(text: str) -> str:
    """'/appeal ask is a VPN ok?' → '/ask is a VPN ok?'; anything else starts (or resumes) an appeal."""
    word, _, rest = text.strip().partition(" ")
    if word.lower() in SUBCOMMANDS:
        return f"/{word.lower()} {rest.strip()}".strip()
    return "/appeal"


class AppealCommand:
    def __init__(self, deps: SlackDeps, dms: DirectMessages, form: AppealForm) -> None:
        self.deps = deps
        self.dms = dms
        self.form = form

    def register(self, app: AsyncApp) -> None:
        app.command(COMMAND)(self.on_command)

    async def on_command(self, ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        text = plain_text(str(command.get("text") or ""))
        user = str(command["user_id"])
        if text.strip().lower() == "form":
            await self.form.open(client, str(command["trigger_id"]))
            return
        self.deps.tasks.spawn(user, self._run(user, core_command(text), str(command["trigger_id"])))

    async def _run(self, user: str, text: str, trigger_id: str) -> None:
        identity = await self.deps.people.identity(user)
        inbound = Inbound(
            identity,
            text=text,
            update_id=f"command:{trigger_id}",
            display_name=await self.deps.people.display_name(user),
            locale=await self.deps.people.locale(user),
        )
        await self.dms.converse(inbound)
