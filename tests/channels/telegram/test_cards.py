"""The agents' card of a ticket through the core's publisher: posted once, even by two workers at once."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from bot.core.clock import ManualClock
from bot.core.outbox import Delivered, RetryLater, outbound
from bot.store.models import OutboxMessage, TicketCard
from tests.channels.telegram.conftest import AGENTS_CHAT, OLEG
from tests.fakes.telegram_bot_api import FakeBotApi
from tests.fakes.telegram_harness import TelegramHarness, file_appeal


async def test_two_workers_sending_a_first_card_at_once_post_it_once(bot: TelegramHarness, api: FakeBotApi) -> None:
    await file_appeal(bot, OLEG, "olegz_dev")
    with bot.desk.db.session() as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "ticket_card")).one()
    card = outbound(row)
    since = len(api.calls())

    results = await asyncio.gather(bot.channel.sender.send(card), bot.channel.sender.send(card))

    posted = api.calls("sendMessage", chat_id=AGENTS_CHAT, since=since)
    assert len(posted) == 1
    assert Delivered(str(posted[0].response["message_id"])) in results
    assert all(isinstance(result, (Delivered, RetryLater)) for result in results)
    with bot.desk.db.session() as session:
        stored = session.exec(select(TicketCard)).one()
    assert stored.message_id == str(posted[0].response["message_id"]) and stored.claimed_until is None


async def test_a_card_whose_post_failed_is_posted_by_the_retry(
    bot: TelegramHarness, api: FakeBotApi, clock: ManualClock
) -> None:
    await file_appeal(bot, OLEG, "olegz_dev")
    api.fail("sendMessage", 500, "Internal Server Error", chat_id=AGENTS_CHAT)
    await bot.deliver()
    assert api.calls("sendMessage", chat_id=AGENTS_CHAT)[-1].error

    clock.advance(seconds=10)  # the backoff, shorter than a claim's lease: the failed post gave its claim up

    await bot.deliver()

    with bot.desk.db.session() as session:
        [row] = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "ticket_card")).all()
        stored = session.exec(select(TicketCard)).one()
    assert row.status == "sent" and stored.message_id == row.platform_message_id
