"""`appealdesk run` at DEBUG, through journeys on Telegram and Slack: no secret in any log line.

The product runs as its own process, as in production, against the fake Telegram Bot API and the
fake Slack Web API: once with a Telegram webhook and Slack's signed HTTP requests, once with Telegram
polling and Slack's Socket Mode, so that every kind of secret is in play. Everything the process
writes is read back and searched for each configured secret.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.channels.telegram.channel import SECRET_HEADER
from tests.fakes.slack_web_api import FakeSlack
from tests.fakes.telegram_bot_api import Call, FakeBotApi, FakeUser
from tests.fakes.telegram_harness import file_appeal, find_button

TELEGRAM_TOKEN = "7000000001:AAH-leak-test_Token"
WEBHOOK_SECRET = "webhook-secret-d41d8cd9"
SLACK_TOKEN = "xoxb-1111-2222-leaktest"
SIGNING_SECRET = "signing-secret-8f14e45f"
APP_TOKEN = "xapp-1-A111-leaktest"
SECRETS = (TELEGRAM_TOKEN, WEBHOOK_SECRET, SLACK_TOKEN, SIGNING_SECRET, APP_TOKEN)
AGENTS_CHAT = -1009876543210
SLACK_CHANNEL = "CAGENTS"
SLACK_AGENT = "UAGENT"
OLEG = FakeUser(4242, "Oleg", "olegz")
WAIT_SECONDS = 20.0


async def eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Webhook:
    """A Telegram user whose updates the fake's server POSTs to the product's webhook, as Telegram does."""

    api: FakeBotApi
    http: httpx.AsyncClient

    async def says(
        self, user: FakeUser, text: str, chat_id: int | None = None, reply_to: int | None = None
    ) -> list[Call]:
        replied = self.api.message(chat_id or user.id, reply_to) if reply_to is not None else None
        return await self._post(self.api.text(user, text, chat_id, replied))

    async def sends_document(self, user: FakeUser, data: bytes, name: str, mime_type: str) -> list[Call]:
        return await self._post(self.api.document(user, data, name, mime_type))

    async def taps(
        self, user: FakeUser, label: str, chat_id: int | None = None, message_id: int | None = None
    ) -> list[Call]:
        message, data = find_button(self.api, chat_id or user.id, label, message_id)
        return await self._post(self.api.press(user, message, data))

    async def _post(self, update_id: int) -> list[Call]:
        """The webhook answers once the update is handled, so the bot's calls are all made by then."""
        mark = self.api.call_count()
        response = await self.http.post(
            "/telegram/webhook", json=self.api.update(update_id), headers={SECRET_HEADER: WEBHOOK_SECRET}
        )
        assert response.status_code == 200
        return self.api.calls(since=mark)


async def signed_post(http: httpx.AsyncClient, body: str, content_type: str) -> httpx.Response:
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=timestamp, body=body) or ""
    headers = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature, "Content-Type": content_type}
    return await http.post("/slack/events", content=body, headers=headers)


@pytest.fixture
def telegram() -> Iterator[FakeBotApi]:
    with FakeBotApi(TELEGRAM_TOKEN) as server:
        yield server


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(SLACK_TOKEN, APP_TOKEN)
    await fake.start()
    yield fake
    await fake.stop()


@asynccontextmanager
async def product(
    tmp_path: Path, telegram: FakeBotApi, slack: FakeSlack, **settings: str
) -> AsyncIterator[httpx.AsyncClient]:
    """`appealdesk run` at DEBUG with both channels, until it answers /healthz; stopped with SIGTERM after."""
    port = free_port()
    values = {
        "log_level": "DEBUG",
        "database_url": f"sqlite:///{tmp_path / 'desk.db'}",
        "evidence_dir": str(tmp_path / "evidence"),
        "http_port": str(port),
        "outbox_poll_seconds": "0.1",
        "telegram_token": TELEGRAM_TOKEN,
        "telegram_api_url": telegram.url,
        "telegram_agents_chat": str(AGENTS_CHAT),
        "telegram_agents": "900",
        "telegram_webhook_secret": WEBHOOK_SECRET,
        "slack_bot_token": SLACK_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": slack.api_url,
        "slack_agents_channel": SLACK_CHANNEL,
        "slack_agents": SLACK_AGENT,
        **{name: value.replace("{port}", str(port)) for name, value in settings.items()},
    }
    env = {**os.environ, **{f"APPEALDESK_{name.upper()}": value for name, value in values.items()}}
    with (tmp_path / "appealdesk.log").open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "appealdesk"),
            "run",
            cwd=tmp_path,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", trust_env=False) as http:

            async def started() -> bool:
                assert process.returncode is None, "appealdesk run stopped"
                try:
                    return (await http.get("/healthz")).status_code == 200
                except httpx.TransportError:
                    return False

            deadline = time.monotonic() + WAIT_SECONDS
            while not await started():
                assert time.monotonic() < deadline, "appealdesk run did not start"
                await asyncio.sleep(0.1)
            yield http
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), WAIT_SECONDS)


def secrets_in_log(tmp_path: Path) -> list[str]:
    written = (tmp_path / "appealdesk.log").read_text("utf-8", errors="replace")
    assert "HTTP Request: POST" in written and "/bot[secret]/" in written  # the lines that used to leak the token
    return [secret for secret in SECRETS if secret in written]


async def test_with_a_webhook_and_signed_requests_no_secret_reaches_the_log(
    tmp_path: Path, telegram: FakeBotApi, slack: FakeSlack
) -> None:
    """An appeal on Telegram (with a file), its cards in both agents' chats, a claim from Slack, a Slack DM."""
    async with product(
        tmp_path, telegram, slack, telegram_webhook_url="http://127.0.0.1:{port}/telegram/webhook"
    ) as http:
        assert telegram.webhook["secret_token"] == WEBHOOK_SECRET
        await file_appeal(Webhook(telegram, http), OLEG, "olegz_dev")
        await eventually(lambda: bool(telegram.calls("sendMessage", chat_id=AGENTS_CHAT)), "the Telegram card")
        await eventually(lambda: bool(slack.to("chat.postMessage", channel=SLACK_CHANNEL)), "the Slack card")

        response = await signed_post(http, urlencode({"payload": json.dumps(claim_on_card(slack))}), FORM)
        assert response.status_code == 200
        await eventually(
            lambda: any("reviewer" in call.text for call in telegram.calls("sendMessage", chat_id=OLEG.id)),
            "the user's notification of the claim",
        )
        response = await signed_post(http, json.dumps(dm_event("U1", "hi")), "application/json")
        assert response.status_code == 200
        await eventually(lambda: bool(slack.to("chat.postMessage", channel="DU1")), "the Slack DM's answer")

    assert secrets_in_log(tmp_path) == []


async def test_with_polling_and_socket_mode_no_secret_reaches_the_log(
    tmp_path: Path, telegram: FakeBotApi, slack: FakeSlack
) -> None:
    """Telegram updates fetched with the token in every URL; Slack events over the app token's socket."""
    async with product(tmp_path, telegram, slack, slack_app_token=APP_TOKEN):
        await eventually(lambda: bool(slack.sockets), "the Socket Mode connection")
        telegram.text(OLEG, "/start")
        await eventually(lambda: bool(telegram.calls("sendMessage", chat_id=OLEG.id)), "the answer to /start")
        message, data = find_button(telegram, OLEG.id, "Start appeal")
        telegram.press(OLEG, message, data)
        await eventually(lambda: len(answers_to(telegram, OLEG.id)) >= 2, "the first question of the appeal")

        envelope = await slack.send_envelope("events_api", dm_event("U1", "hi"))
        await eventually(lambda: bool(slack.to("chat.postMessage", channel="DU1")), "the Slack DM's answer")
        assert envelope in slack.acknowledged

    assert secrets_in_log(tmp_path) == []


def answers_to(telegram: FakeBotApi, chat_id: int) -> list[Call]:
    return [call for call in telegram.calls(chat_id=chat_id) if call.method in ("sendMessage", "editMessageText")]


FORM = "application/x-www-form-urlencoded"


def claim_on_card(slack: FakeSlack) -> dict[str, Any]:
    """A signed click on Claim, as Slack sends it, on the ticket's card in the agents' channel."""
    card = slack.to("chat.postMessage", channel=SLACK_CHANNEL)[0]
    claim = next(e for b in card["blocks"] for e in b.get("elements") or [] if e.get("action_id") == "agent:claim")
    return {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "test"},
        "api_app_id": "A1",
        "token": "unused",
        "user": {"id": SLACK_AGENT, "username": "agent", "name": "agent", "team_id": "T1"},
        "trigger_id": "trigger-1",
        "container": {"type": "message", "message_ts": "1.1", "channel_id": SLACK_CHANNEL},
        "channel": {"id": SLACK_CHANNEL, "name": "agents"},
        "actions": [{**claim, "block_id": "b", "type": "button", "action_ts": str(time.time())}],
    }


def dm_event(user: str, text: str) -> dict[str, Any]:
    event = {"type": "message", "channel_type": "im", "channel": "D" + user, "user": user, "text": text, "ts": "1.2"}
    return {
        "token": "unused",
        "type": "event_callback",
        "team_id": "T1",
        "api_app_id": "A1",
        "event_id": "Ev1",
        "event": event,
    }
