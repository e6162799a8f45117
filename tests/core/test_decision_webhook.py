"""The decision webhook: a decided appeal reaches the platform signed, retried until it gets through,
and a call that never does is shown on the ticket and to the supervisors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from bot.core.clock import ManualClock
from bot.core.decision_webhook import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    WEBHOOK_CHANNEL,
    WebhookSender,
    body_of,
    signature,
    verify,
)
from bot.core.outbox import MAX_ATTEMPTS
from bot.core.tickets.actors import Actor
from bot.desk import Desk
from bot.store.models import OutboxMessage, TicketEvent
from tests.chat import ChatUser, file_appeal, open_question
from tests.conftest import DeskFactory
from tests.fakes.platform_receiver import SECRET, Receiver, receiving

ALICE = Actor("cli", "alice", "alice")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as platform:
        yield platform


def webhook_desk(make_desk: DeskFactory, receiver: Receiver, **overrides: Any) -> Desk:
    return make_desk(platform_webhook_url=receiver.url, platform_webhook_secret=SECRET, **overrides)


def decide(desk: Desk, reference: str) -> None:
    desk.tickets.resolve(
        reference,
        ALICE,
        "reinstated",
        "location-or-vpn",
        "The logins came from a VPN server you used while travelling.",
        "Login history 12-19 Nov, your travel booking.",
        internal_note="Checked with the fraud team; nothing else on the account.",
    )


async def deliver(desk: Desk, receiver: Receiver, secret: str = SECRET) -> int:
    sender = WebhookSender(receiver.url, secret)
    try:
        return await desk.worker({WEBHOOK_CHANNEL: sender}).run_once()
    finally:
        await sender.close()


def webhook_rows(desk: Desk) -> list[OutboxMessage]:
    with desk.db.session() as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.channel == WEBHOOK_CHANNEL)))


async def test_a_decided_appeal_reaches_the_platform_signed_with_what_it_needs_to_act(
    make_desk: DeskFactory, receiver: Receiver
) -> None:
    desk = webhook_desk(make_desk, receiver)
    reference = file_appeal(ChatUser(desk), account="olegz_dev")
    decide(desk, reference)
    assert await deliver(desk, receiver) == 1
    [call] = receiver.accepted
    assert call.headers[EVENT_HEADER] == "appeal.decided"
    payload = call.payload
    assert payload["ticket"] == reference and payload["account"] == "profile:olegz_dev"
    assert (payload["outcome"], payload["reason_category"]) == ("reinstated", "location-or-vpn")
    assert payload["public_explanation"] == "The logins came from a VPN server you used while travelling."
    assert payload["decided_by"] == "cli:alice" and payload["decided_at"]
    assert call.headers[DELIVERY_HEADER] == payload["delivery"]
    assert "fraud team" not in call.body.decode(), "an internal note never leaves the desk"
    assert [row.status for row in webhook_rows(desk)] == ["sent"]


async def test_a_failing_receiver_gets_the_same_decision_again_until_it_takes_it(
    make_desk: DeskFactory, receiver: Receiver, clock: ManualClock
) -> None:
    desk = webhook_desk(make_desk, receiver)
    decide(desk, file_appeal(ChatUser(desk)))
    receiver.statuses = [500, 503]
    for _ in range(3):
        await deliver(desk, receiver)
        clock.advance(minutes=5)
    assert [call.verified for call in receiver.calls] == [True, True, True]
    assert len({call.payload["delivery"] for call in receiver.calls}) == 1, "one decision, however often it is tried"
    assert len({call.body for call in receiver.calls}) == 1
    [row] = webhook_rows(desk)
    assert (row.status, row.attempts) == ("sent", 3)


async def test_a_call_signed_with_another_secret_is_refused_by_the_platform_and_tried_again(
    make_desk: DeskFactory, receiver: Receiver, clock: ManualClock
) -> None:
    desk = webhook_desk(make_desk, receiver)
    decide(desk, file_appeal(ChatUser(desk)))
    await deliver(desk, receiver, secret="not-the-shared-secret")
    assert [call.verified for call in receiver.calls] == [False]
    [row] = webhook_rows(desk)
    assert row.status == "pending" and row.last_error == "the platform answered 401"
    clock.advance(minutes=5)
    await deliver(desk, receiver)
    assert len(receiver.accepted) == 1


async def test_a_decision_that_never_gets_through_is_on_the_ticket_and_told_to_the_supervisors(
    make_desk: DeskFactory, receiver: Receiver, clock: ManualClock
) -> None:
    desk = webhook_desk(make_desk, receiver, telegram_token="123:test", supervisors=["telegram:5001"])
    reference = file_appeal(ChatUser(desk))
    decide(desk, reference)
    receiver.statuses = [502] * MAX_ATTEMPTS
    for _ in range(MAX_ATTEMPTS):
        await deliver(desk, receiver)
        clock.advance(hours=2)
    [row] = webhook_rows(desk)
    assert row.status == "failed"
    with desk.db.session() as session:
        events = session.exec(select(TicketEvent).where(TicketEvent.action == "platform_not_told")).all()
        [alert] = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "supervisor_alert")).all()
    assert [event.internal_note for event in events] == ["the platform answered 502"]
    assert (alert.channel, alert.chat_id) == ("telegram", "5001")
    text = desk.renderer.render(alert.template, alert.context)
    assert reference in text and "did not reach WorkMarket" in text and "the platform answered 502" in text


def test_without_a_webhook_nothing_is_queued_for_the_platform(desk: Desk) -> None:
    decide(desk, file_appeal(ChatUser(desk)))
    assert webhook_rows(desk) == []


def test_an_answered_question_is_not_a_decision_the_platform_acts_on(
    make_desk: DeskFactory, receiver: Receiver
) -> None:
    desk = webhook_desk(make_desk, receiver)
    reference = open_question(desk, "Is a VPN allowed?")
    desk.tickets.resolve(reference, ALICE, "answered", None, "Yes, as long as you do not hide where you work from.")
    assert webhook_rows(desk) == []


def test_a_webhook_without_its_secret_does_not_start(make_settings: Any, receiver: Receiver) -> None:
    with pytest.raises(ValueError, match="APPEALDESK_PLATFORM_WEBHOOK_SECRET"):
        make_settings(platform_webhook_url=receiver.url)


def test_a_receiver_refuses_a_replayed_a_tampered_and_an_unsigned_call() -> None:
    body = body_of({"event": "appeal.decided", "outcome": "reinstated"})
    now = 1_800_000_000.0
    stamp = str(int(now))
    signed = signature(SECRET, stamp, body)
    assert verify(SECRET, body, stamp, signed, now=now + 60)
    assert not verify(SECRET, body, stamp, signed, now=now + 301), "outside the replay window"
    assert not verify(SECRET, body.replace(b"reinstated", b"upheld"), stamp, signed, now=now)
    assert not verify(SECRET, body, str(int(now) + 1), signed, now=now), "the timestamp is signed too"
    assert not verify(SECRET, body, "", "", now=now)
