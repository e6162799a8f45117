"""The freelancer's direct messages with the app: text, files and button taps, handed to the core.

A message is kept in the core's inbox before Slack gets its 200 (the listener returns only then),
because Slack never sends an acknowledged event again: a process that dies after the answer
handles it on its next start. An event id already in the inbox is a retry, and is not handled twice.
One whose handling fails (a Slack call on the way to the core) is tried again, and then given up with
an apology to the user, by the core's inbox rule.
"""

from __future__ import annotations

import asyncio
import re
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.channels.slack.blocks import USER_ACTION_PREFIX
from bot.channels.slack.deps import SlackDeps
from bot.channels.slack.inbound import plain_text
from bot.core.events import Identity, Inbound

# Edits, deletions and other bookkeeping events are not something the user said.
HANDLED_SUBTYPES = (None, "file_share")
CHANNEL = "slack"


class DirectMessages:
    def __init__(self, deps: SlackDeps) -> None:
        self.deps = deps

    def register(self, app: AsyncApp) -> None:
        app.event("message")(self.on_message)
        app.action(re.compile("^" + re.escape(USER_ACTION_PREFIX)))(self.on_button)

    async def on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        user = event.get("user")
        if event.get("channel_type") != "im" or event.get("bot_id") or not user or not event.get("channel"):
            return
        if event.get("subtype") not in HANDLED_SUBTYPES:
            return
        event_id = str(body.get("event_id") or "")
        if event_id and not await asyncio.to_thread(self.deps.desk.inbox.record, CHANNEL, [(event_id, body)]):
            return
        self.deps.tasks.spawn(user, self._message(event_id, user, event))

    async def replay(self) -> None:
        """On start: handles the messages a dead process had kept but not handled."""
        for event_id, body in await asyncio.to_thread(self.deps.desk.inbox.undone, CHANNEL):
            event = body["event"]
            self.deps.tasks.spawn(str(event["user"]), self._message(event_id, str(event["user"]), event))

    async def _message(self, event_id: str, user: str, event: dict[str, Any]) -> None:
        """A kept message is handled by the core's inbox rule: tried again if it fails, the user told if given up."""
        handle = partial(self._handle, event_id, user, event)
        if not event_id:
            await handle()
            return
        identity = Identity(CHANNEL, user, str(event["channel"]))
        await self.deps.desk.handle_kept(event_id, identity, handle, self.deps.replies)

    async def _handle(self, event_id: str, user: str, event: dict[str, Any]) -> None:
        identity = await self.deps.people.identity(user, event["channel"])
        attachments = await self.deps.files.attachments(event.get("files") or [])
        inbound = Inbound(
            identity,
            text=plain_text(event.get("text") or ""),
            attachments=attachments,
            update_id=event_id or None,  # retried deliveries carry the same event_id; the core dedupes on it
            display_name=await self.deps.people.display_name(user),
            locale=await self.deps.people.locale(user),
        )
        await self.converse(inbound)

    async def on_button(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id")
        pressed = (body.get("container") or {}).get("message_ts")
        self.deps.tasks.spawn(user, self._button(user, channel, pressed, action))

    async def _button(self, user: str, channel: str | None, pressed: str | None, action: dict[str, Any]) -> None:
        inbound = Inbound(
            await self.deps.people.identity(user, channel),
            payload=str(action["value"]),
            update_id=f"action:{pressed}:{action.get('action_ts')}",
            display_name=await self.deps.people.display_name(user),
            pressed_message_id=pressed,
            locale=await self.deps.people.locale(user),
        )
        await self.converse(inbound)

    async def converse(self, inbound: Inbound) -> None:
        """One turn of the core; its replies, queued in the outbox, are posted in the user's DM."""
        await self.deps.desk.answer(inbound, self.deps.replies)
