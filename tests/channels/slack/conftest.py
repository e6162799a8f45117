"""Runs the product's HTTP app (with the Slack routes) under uvicorn on 127.0.0.1, against a fake Slack."""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn
from slack_sdk.signature import SignatureVerifier

from bot.channels.slack.channel import SlackChannel
from bot.desk import Desk
from bot.web.app import create_app
from tests.conftest import DeskFactory
from tests.fakes.slack_web_api import FakeSlack

TOKEN = "xoxb-test-token"
SECRET = "test-signing-secret"
AGENTS_CHANNEL = "CAGENTS"
AGENT = "UAGENT"
SUPERVISOR = "ULEAD"
ADMIN = "UADMIN"


class SlackHarness:
    def __init__(self, desk: Desk, channel: SlackChannel, fake: FakeSlack, http: httpx.AsyncClient) -> None:
        self.desk = desk
        self.channel = channel
        self.fake = fake
        self.http = http
        self._ids = itertools.count(1)

    # ---- signed requests -------------------------------------------------------------------------

    def signed(self, body: str, secret: str = SECRET, content_type: str = "application/json") -> dict[str, str]:
        timestamp = str(int(time.time()))
        signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
        return {
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature or "",
            "Content-Type": content_type,
        }

    async def post(self, body: str, content_type: str, **headers: str) -> httpx.Response:
        response = await self.http.post(
            "/slack/events", content=body, headers={**self.signed(body, content_type=content_type), **headers}
        )
        await self.channel.deps.tasks.drain()
        return response

    async def event(self, event: dict[str, Any], event_id: str | None = None, **headers: str) -> httpx.Response:
        body = json.dumps(
            {
                "token": "unused",
                "team_id": "T1",
                "api_app_id": "A1",
                "type": "event_callback",
                "event_id": event_id or f"Ev{next(self._ids):06d}",
                "event_time": int(time.time()),
                "event": event,
            }
        )
        return await self.post(body, "application/json", **headers)

    async def dm(
        self,
        user: str,
        text: str = "",
        files: list[str] | None = None,
        event_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        event: dict[str, Any] = {
            "type": "message",
            "channel_type": "im",
            "channel": "D" + user,
            "user": user,
            "text": text,
            "ts": f"1699999999.{next(self._ids):06d}",
        }
        if files:
            event["subtype"] = "file_share"
            event["files"] = [{"id": file_id} for file_id in files]
        return await self.event(event, event_id, **(headers or {}))

    async def interact(self, payload: dict[str, Any]) -> httpx.Response:
        base = {"team": {"id": "T1", "domain": "test"}, "api_app_id": "A1", "token": "unused"}
        body = urlencode({"payload": json.dumps({**base, **payload})})
        return await self.post(body, "application/x-www-form-urlencoded")

    async def action(
        self, user: str, action_id: str, value: str, channel: str, message_ts: str = "1.1"
    ) -> httpx.Response:
        return await self.interact(
            {
                "type": "block_actions",
                "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T1"},
                "trigger_id": f"trigger-{next(self._ids)}",
                "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
                "channel": {"id": channel, "name": "x"},
                "actions": [
                    {
                        "action_id": action_id,
                        "block_id": "b",
                        "value": value,
                        "type": "button",
                        "action_ts": str(time.time()),
                    }
                ],
            }
        )

    async def submit(self, user: str, callback_id: str, values: dict[str, Any], metadata: str = "") -> httpx.Response:
        state = {block_id: {"value": value} for block_id, value in values.items()}
        return await self.interact(
            {
                "type": "view_submission",
                "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T1"},
                "trigger_id": f"trigger-{next(self._ids)}",
                "view": {
                    "id": "V1",
                    "type": "modal",
                    "callback_id": callback_id,
                    "private_metadata": metadata,
                    "state": {"values": state},
                },
            }
        )

    async def command(self, user: str, text: str = "") -> httpx.Response:
        body = urlencode(
            {
                "token": "unused",
                "team_id": "T1",
                "channel_id": "D" + user,
                "user_id": user,
                "user_name": user.lower(),
                "command": "/appeal",
                "text": text,
                "trigger_id": f"trigger-{next(self._ids)}",
                "response_url": "http://127.0.0.1:1/unused",
                "api_app_id": "A1",
            }
        )
        return await self.post(body, "application/x-www-form-urlencoded")

    # ---- reading what the app did ----------------------------------------------------------------

    def last(self, channel: str) -> dict[str, Any]:
        return self.fake.messages(channel)[-1]

    def last_text(self, channel: str) -> str:
        return "\n".join(block["text"]["text"] for block in self.last(channel)["blocks"] if block["type"] == "section")

    async def press(self, user: str, label: str) -> httpx.Response:
        """Taps the button with this text in the newest message of the user's DM that has it."""
        channel = "D" + user
        for message in reversed(self.fake.messages(channel)):
            for block in message.get("blocks") or []:
                for element in block.get("elements") or []:
                    if element.get("type") == "button" and element["text"]["text"].lstrip("✓ ") == label:
                        ts = message.get("ts") or "1.1"
                        return await self.action(user, element["action_id"], element["value"], channel, ts)
        raise AssertionError(f"no button {label!r} in {channel}")

    def card_button(self, name: str) -> tuple[str, str]:
        for message in reversed(self.fake.messages(AGENTS_CHANNEL)):
            for block in message.get("blocks") or []:
                for element in block.get("elements") or []:
                    if element.get("action_id") == f"agent:{name}":
                        return element["action_id"], element["value"]
        raise AssertionError(f"no card button {name}")

    async def deliver(self) -> int:
        return await self.desk.worker(self.channel.senders()).run_once()


def choose(value: str, kind: str = "static_select") -> dict[str, Any]:
    return {"type": kind, "selected_option": {"value": value}}


def typed(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


@pytest.fixture
async def slack(make_desk: DeskFactory) -> AsyncIterator[SlackHarness]:
    fake = FakeSlack(TOKEN)
    await fake.start()
    desk = make_desk(
        destinations=[("slack", AGENTS_CHANNEL)],
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=fake.api_url,
        slack_agents_channel=AGENTS_CHANNEL,
        slack_agents=[AGENT],
        admins=[f"slack:{ADMIN}"],
        supervisors=[f"slack:{SUPERVISOR}"],
    )
    channel = SlackChannel(desk, desk.settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(desk, channel.routes()), log_level="warning", lifespan="off"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", trust_env=False) as http:
        yield SlackHarness(desk, channel, fake, http)
    await channel.stop()
    server.should_exit = True
    await serving
    await fake.stop()
    assert fake.violations == []
