"""The outbox's Telegram sender against Telegram's answers: 429, 403, 400 parse errors, network trouble."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, timedelta

import pytest
from sqlmodel import select

from bot.channels.telegram.ratelimits import flood_limits
from bot.core.clock import ManualClock
from bot.core.outbox import Delivered, Outbound, buttons_from_json
from bot.core.tickets.actors import Actor
from bot.desk import Desk
from bot.store.models import OutboxMessage, Ticket, TicketEvent, User
from tests.channels.telegram.conftest import AGENT, AGENTS_CHAT, OLEG
from tests.fakes.telegram_bot_api import Call, FakeBotApi
from tests.fakes.telegram_harness import TelegramHarness, file_appeal


def outbox(bot: TelegramHarness, chat_id: int) -> list[OutboxMessage]:
    """The notifications for a chat (its replies are outbox rows too, already sent)."""
    with bot.desk.db.session() as session:
        query = select(OutboxMessage).where(OutboxMessage.chat_id == str(chat_id), OutboxMessage.kind != "reply")
        return list(session.exec(query))


async def claimed_appeal(bot: TelegramHarness) -> None:
    """An appeal whose card is posted, claimed by an agent: a message for the user is waiting in the outbox."""
    await file_appeal(bot, OLEG, "olegz_dev")
    await bot.deliver()
    await bot.taps(AGENT, "Claim", chat_id=AGENTS_CHAT)


async def test_429_waits_as_long_as_telegram_asks(bot: TelegramHarness, api: FakeBotApi, clock: ManualClock) -> None:
    await file_appeal(bot, OLEG, "olegz_dev")
    api.fail("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7, chat_id=AGENTS_CHAT)

    await bot.deliver()

    [card] = outbox(bot, AGENTS_CHAT)
    assert card.status == "pending" and "Flood control" in (card.last_error or "")
    assert card.next_attempt_at.replace(tzinfo=UTC) - clock.now() == timedelta(seconds=7)
    assert await bot.deliver() == 0  # not before Telegram said
    clock.advance(seconds=7)
    await bot.deliver()
    assert outbox(bot, AGENTS_CHAT)[0].status == "sent"


async def test_a_blocked_bot_makes_the_user_undeliverable_and_agents_see_it(
    bot: TelegramHarness, api: FakeBotApi
) -> None:
    await claimed_appeal(bot)
    api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=OLEG.id)

    await bot.deliver()

    [message] = outbox(bot, OLEG.id)
    assert message.status == "undeliverable" and "blocked" in (message.last_error or "")
    with bot.desk.db.session() as session:
        assert session.exec(select(User)).one().undeliverable_at is not None
        assert session.exec(select(TicketEvent).where(TicketEvent.action == "undeliverable")).one()
        ticket = session.exec(select(Ticket)).one()
    await bot.deliver()
    card = bot.desk.cards.get(ticket.id or 0, "telegram")
    assert card is not None
    assert "cannot be reached" in api.message(AGENTS_CHAT, int(card.message_id))["text"]


async def test_network_trouble_is_retried(bot: TelegramHarness, api: FakeBotApi, clock: ManualClock) -> None:
    await claimed_appeal(bot)
    api.fail("sendMessage", 502, "Bad Gateway", chat_id=OLEG.id)

    await bot.deliver()

    [message] = outbox(bot, OLEG.id)
    assert message.status == "pending" and message.attempts == 1
    clock.advance(minutes=5)
    await bot.deliver()
    assert outbox(bot, OLEG.id)[0].status == "sent"


async def test_an_unchanged_card_counts_as_delivered(bot: TelegramHarness, api: FakeBotApi) -> None:
    await file_appeal(bot, OLEG, "olegz_dev")
    await bot.deliver()
    [row] = outbox(bot, AGENTS_CHAT)
    assert bot.channel is not None and row.status == "sent"
    same_card = Outbound(
        row.id or 0,
        "telegram",
        row.chat_id,
        row.kind,
        row.template,
        row.context,
        buttons_from_json(row.buttons),
        row.ticket_id,
        1,
    )

    result = await bot.channel.senders()["telegram"].send(same_card)

    assert isinstance(result, Delivered)
    assert "message is not modified" in (api.calls("editMessageText", chat_id=AGENTS_CHAT)[-1].error or "")


async def test_alerts_to_the_group_are_redacted_too(bot: TelegramHarness, api: FakeBotApi) -> None:
    await file_appeal(bot, OLEG, "oleg.z@example.com")
    [row] = outbox(bot, AGENTS_CHAT)
    assert bot.channel is not None
    alert = Outbound(
        row.id or 0, "telegram", row.chat_id, "agent_alert", row.template, row.context, (), row.ticket_id, 1
    )

    assert isinstance(await bot.channel.senders()["telegram"].send(alert), Delivered)

    sent = api.calls("sendMessage", chat_id=AGENTS_CHAT)[-1].text
    assert "<b>Account</b>: [hidden - appealdesk tickets show]" in sent and "oleg.z@example.com" not in sent


async def first_call(api: FakeBotApi, chat_id: int, since: int, timeout: float = 5.0) -> Call:
    deadline = time.perf_counter() + timeout
    while not (calls := api.calls(chat_id=chat_id, since=since)):
        assert time.perf_counter() < deadline, f"nothing sent to {chat_id} within {timeout} s"
        await asyncio.sleep(0.01)
    return calls[0]


async def test_a_users_notification_does_not_wait_behind_the_groups_card_updates(
    api: FakeBotApi, telegram_desk: Callable[..., Desk]
) -> None:
    slow_group = flood_limits(overall_per_second=0, group=(1, 3))  # a card edit every 3 s
    bot = TelegramHarness(api, telegram_desk(), rate_limiter=slow_group)
    channel = await bot.start()
    await file_appeal(bot, OLEG, "olegz_dev")
    await bot.deliver()
    with bot.desk.db.session() as session:
        reference = session.exec(select(Ticket)).one().reference or ""
    for number in range(100):
        bot.desk.tickets.note(reference, Actor("cli", "alice"), f"Checked login batch {number}.")
    mark = api.call_count()
    stop = asyncio.Event()
    worker = asyncio.create_task(bot.desk.worker(channel.senders()).run(stop, poll_seconds=0.2))
    try:
        await first_call(api, AGENTS_CHAT, mark)  # the group is busy working off its backlog

        due = time.perf_counter()
        bot.desk.tickets.claim(reference, Actor("cli", "alice"))
        notified = await first_call(api, OLEG.id, mark)

        assert notified.at - due < 1.0
        assert "a reviewer has started working on your appeal" in notified.text
        assert len([row for row in outbox(bot, AGENTS_CHAT) if row.status == "pending"]) > 90
    finally:
        stop.set()
        await worker
        await bot.stop()


LONG_EXPLANATION = "\n\n".join(
    f"Point {number}: the logins of that week came from a hotel network in Lisbon, which we checked. " * 8
    for number in range(1, 9)
)  # about 6,000 characters: the decision goes out in two parts


def decided_at_length(bot: TelegramHarness) -> None:
    with bot.desk.db.session() as session:
        reference = session.exec(select(Ticket)).one().reference or ""
    bot.desk.tickets.resolve(
        reference, Actor("cli", "alice"), "reinstated", "location-or-vpn", LONG_EXPLANATION, "Login history."
    )


@pytest.mark.parametrize(
    ("code", "description", "retry_after"),
    [(429, "Too Many Requests: retry after 3", 3), (502, "Bad Gateway", None)],
)
async def test_a_long_decision_whose_second_part_fails_is_finished_without_repeating_the_first(
    bot: TelegramHarness, api: FakeBotApi, clock: ManualClock, code: int, description: str, retry_after: int | None
) -> None:
    await claimed_appeal(bot)
    await bot.deliver()
    decided_at_length(bot)
    mark = api.call_count()
    api.fail("sendMessage", code, description, retry_after=retry_after, chat_id=OLEG.id, after=1)

    await bot.deliver()
    clock.advance(minutes=1)
    await bot.deliver()

    received = [call.text for call in api.calls("sendMessage", chat_id=OLEG.id, since=mark) if call.error is None]
    assert len(received) == 2 and len(set(received)) == 2
    assert "Point 1:" in received[0] and "Point 8:" in received[1]
    [decision] = [row for row in outbox(bot, OLEG.id) if row.template == "notify/resolved.j2"]
    assert decision.status == "sent" and decision.attempts == 2


@pytest.mark.parametrize(
    "refusal",
    [
        'Bad Request: can\'t parse entities: unsupported start tag "olegz" at byte offset 12',
        "Bad Request: BUTTON_DATA_INVALID",
        "Bad Request: message is too long",
        "Bad Request: reply markup is too long",
    ],
)
async def test_a_message_refused_for_our_own_output_is_sent_once_as_plain_text_and_never_blamed_on_the_user(
    bot: TelegramHarness, api: FakeBotApi, caplog: pytest.LogCaptureFixture, refusal: str
) -> None:
    await claimed_appeal(bot)
    api.fail("sendMessage", 400, refusal, chat_id=OLEG.id)

    with caplog.at_level(logging.ERROR):
        await bot.deliver()

    refused, plain = api.calls("sendMessage", chat_id=OLEG.id)[-2:]
    assert refused.error == refusal and refused.params["parse_mode"] == "HTML"
    assert plain.error is None and "parse_mode" not in plain.params and "reply_markup" not in plain.params
    assert "a reviewer has started working on your appeal" in plain.text
    [message] = outbox(bot, OLEG.id)
    assert message.status == "sent" and message.as_plain_text
    [logged] = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert f"outbox row {message.id}" in logged.getMessage() and "product error" in logged.getMessage()
    assert "olegz" not in logged.getMessage()
    with bot.desk.db.session() as session:
        assert session.exec(select(User)).one().undeliverable_at is None
        assert not session.exec(select(TicketEvent).where(TicketEvent.action == "undeliverable")).all()


async def test_a_message_refused_even_as_plain_text_is_given_up_without_blaming_the_user(
    bot: TelegramHarness, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    await claimed_appeal(bot)
    api.fail("sendMessage", 400, "Bad Request: message is too long", chat_id=OLEG.id, times=2)

    with caplog.at_level(logging.ERROR):
        await bot.deliver()

    [message] = outbox(bot, OLEG.id)
    assert message.status == "rejected"
    assert (
        "given up" in caplog.records[-1].getMessage() and f"outbox row {message.id}" in caplog.records[-1].getMessage()
    )
    with bot.desk.db.session() as session:
        assert session.exec(select(User)).one().undeliverable_at is None


@pytest.mark.parametrize("gone", ["Bad Request: chat not found", "Forbidden: user is deactivated"])
async def test_only_a_user_who_is_gone_is_undeliverable(bot: TelegramHarness, api: FakeBotApi, gone: str) -> None:
    await claimed_appeal(bot)
    api.fail("sendMessage", 403 if gone.startswith("Forbidden") else 400, gone, chat_id=OLEG.id)

    await bot.deliver()

    [message] = outbox(bot, OLEG.id)
    assert message.status == "undeliverable" and message.attempts == 1
    with bot.desk.db.session() as session:
        assert session.exec(select(User)).one().undeliverable_at is not None
