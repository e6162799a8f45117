"""The outbox's Slack sender: rate limits, undeliverable chats, network errors, and Slack's limits."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import select

from bot.channels.slack.card import Cards
from bot.channels.slack.chat import Chat
from bot.channels.slack.sender import SlackSender
from bot.core.clock import ManualClock
from bot.core.events import Button
from bot.core.outbox import Delivered, Notification, Outbound, Rejected, RetryLater, Undeliverable
from bot.core.tickets.actors import SYSTEM, Actor
from bot.store.models import OutboxMessage
from tests.channels.slack.conftest import AGENTS_CHANNEL, TOKEN, SlackHarness
from tests.channels.slack.flows import appeal_in_dm
from tests.fakes.slack_web_api import Call


def user_message(text: str = "Hello", **context: Any) -> Outbound:
    return Outbound(
        id=1,
        channel="slack",
        chat_id="DU1",
        kind="user",
        template="idle/question_opened.j2",
        context={"reference": text, "due": "2026-11-27T14:00:00+00:00", "already": False, **context},
        buttons=((Button("go.status", "go:status"),),),
        ticket_id=None,
        attempts=0,
    )


async def test_rate_limit_waits_as_long_as_retry_after_says(slack: SlackHarness) -> None:
    slack.fake.fail("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "7"})
    result = await slack.channel.sender.send(user_message())
    assert result == RetryLater("ratelimited", retry_after=7.0)
    assert isinstance(await slack.channel.sender.send(user_message()), Delivered)


async def test_gone_chats_are_undeliverable_and_other_errors_retried(slack: SlackHarness) -> None:
    for error in ("channel_not_found", "not_in_channel", "account_inactive", "is_archived", "user_not_found"):
        slack.fake.fail("chat.postMessage", error)
        assert await slack.channel.sender.send(user_message()) == Undeliverable(error)
    for error in ("invalid_blocks", "msg_too_long", "invalid_arguments"):
        slack.fake.fail("chat.postMessage", error)
        assert await slack.channel.sender.send(user_message()) == Rejected(error)
    slack.fake.fail("chat.postMessage", "internal_error")
    assert await slack.channel.sender.send(user_message()) == RetryLater("internal_error")


async def test_network_errors_are_retried(slack: SlackHarness) -> None:
    client = AsyncWebClient(token=TOKEN, base_url="http://127.0.0.1:9/api/", timeout=2)
    renderer = slack.channel.renderer
    sender = SlackSender(client, Chat(client, renderer), Cards(renderer), slack.desk.cards)
    result = await sender.send(user_message())
    assert isinstance(result, RetryLater) and result.error.startswith("network")


async def test_an_undeliverable_user_is_flagged_on_the_ticket(slack: SlackHarness) -> None:
    reference = await appeal_in_dm(slack, "U1")
    await slack.deliver()
    await slack.action("UAGENT", *slack.card_button("claim"), "CAGENTS")
    slack.fake.fail("chat.postMessage", "account_inactive", channel="DU1")
    await slack.deliver()
    view = slack.desk.tickets.show(reference, SYSTEM)
    assert view["requester"]["undeliverable"] is True
    assert any(event["action"] == "undeliverable" for event in view["events"])


async def test_long_replies_are_split_within_slacks_limits(slack: SlackHarness) -> None:
    long_reference = ("x" * 80 + "\n") * 200  # about 16,000 characters of user-provided text
    assert isinstance(await slack.channel.sender.send(user_message(long_reference)), Delivered)
    posted = slack.fake.to("chat.postMessage", channel="DU1")
    assert all(
        len(block["text"]["text"]) <= 3000 for call in posted for block in call["blocks"] if block["type"] == "section"
    )
    assert len(posted[0]["blocks"]) > 5


async def test_agent_alerts_go_to_the_cards_thread_and_the_channel(slack: SlackHarness) -> None:
    reference = await appeal_in_dm(slack, "U1")
    await slack.deliver()
    with slack.desk.db.session() as session:
        ticket = slack.desk.tickets.find(session, reference)
        assert ticket is not None
        slack.desk.tickets.alert_agents(
            session, ticket, "test-alert", "agents/escalated.j2", {"missed": "first_response"}
        )
    await slack.deliver()
    card = slack.desk.cards.get(ticket.id or 0, "slack")
    assert card is not None
    alert = slack.fake.to("chat.postMessage", reply_broadcast=True)[-1]
    assert alert["thread_ts"] == card.message_id and "missed its first-response target" in alert["text"]


async def first_call_to(slack: SlackHarness, channel: str, since: int, timeout: float = 5.0) -> Call:
    deadline = time.perf_counter() + timeout
    while not (calls := slack.fake.calls_to(channel, since)):
        assert time.perf_counter() < deadline, f"nothing sent to {channel} within {timeout} s"
        await asyncio.sleep(0.01)
    return calls[0]


async def test_a_users_notification_does_not_wait_behind_the_agents_channel(slack: SlackHarness) -> None:
    reference = await appeal_in_dm(slack, "U1")
    await slack.deliver()
    for number in range(100):
        slack.desk.tickets.note(reference, Actor("cli", "alice"), f"Checked login batch {number}.")
    slack.fake.slow(AGENTS_CHANNEL, 0.5)  # a card edit and its thread entry: a second per update
    mark = len(slack.fake.calls)
    stop = asyncio.Event()
    worker = asyncio.create_task(slack.desk.worker(slack.channel.senders()).run(stop, poll_seconds=0.2))
    try:
        await first_call_to(slack, AGENTS_CHANNEL, mark)

        due = time.perf_counter()
        slack.desk.tickets.claim(reference, Actor("cli", "alice"))
        notified = await first_call_to(slack, "DU1", mark)

        assert notified.at - due < 1.0
        assert "a reviewer has started working on your appeal" in notified.params["text"]
    finally:
        stop.set()
        await worker


def rows_to(slack: SlackHarness, chat_id: str) -> list[OutboxMessage]:
    with slack.desk.db.session() as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == chat_id)))


@pytest.mark.parametrize(
    ("status", "error", "headers"), [(429, "ratelimited", {"Retry-After": "2"}), (502, "bad_gateway", {})]
)
async def test_a_message_in_several_parts_whose_second_fails_is_finished_without_repeating_the_first(
    slack: SlackHarness, clock: ManualClock, status: int, error: str, headers: dict[str, str]
) -> None:
    huge = "".join(f"line {number:05d} " + "x" * 70 + "\n" for number in range(2000))  # over 50 sections
    with slack.desk.db.session() as session:
        slack.desk.outbox.enqueue(
            session,
            Notification("huge", "slack", "DU1", "idle/question_opened.j2", user_message(huge).context),
        )
    slack.fake.fail("chat.postMessage", error, status=status, headers=headers, channel="DU1", after=1)

    await slack.deliver()
    clock.advance(minutes=1)
    await slack.deliver()

    posted = [call.params for call in slack.fake.calls_to("DU1") if call.method == "chat.postMessage"]
    first, refused, second = [call["blocks"] for call in posted]  # the first part went once
    assert refused == second != first
    assert "line 00000" in first[0]["text"]["text"] and "line 01999" in second[-1]["text"]["text"]
    [row] = rows_to(slack, "DU1")
    assert row.status == "sent" and row.attempts == 2


@pytest.mark.parametrize("error", ["invalid_blocks", "msg_too_long", "invalid_arguments"])
async def test_a_message_refused_for_our_own_blocks_is_sent_once_as_plain_text_and_never_blamed_on_the_user(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture, error: str
) -> None:
    reference = await appeal_in_dm(slack, "U1")
    await slack.deliver()
    await slack.action("UAGENT", *slack.card_button("claim"), "CAGENTS")
    slack.fake.fail("chat.postMessage", error, channel="DU1")
    mark = len(slack.fake.calls)

    with caplog.at_level(logging.ERROR):
        await slack.deliver()

    refused, plain = [call.params for call in slack.fake.calls_to("DU1", mark)]
    assert refused["blocks"] and "blocks" not in plain and plain["mrkdwn"] in (False, "0", "false")
    assert "a reviewer has started working on your appeal" in plain["text"]
    [row] = [row for row in rows_to(slack, "DU1") if row.kind == "user"]
    assert row.status == "sent" and row.as_plain_text
    [logged] = [record.getMessage() for record in caplog.records if record.levelno == logging.ERROR]
    assert f"outbox row {row.id}" in logged and error in logged and "product error" in logged
    view = slack.desk.tickets.show(reference, SYSTEM)
    assert view["requester"]["undeliverable"] is False
    assert not any(event["action"] == "undeliverable" for event in view["events"])
