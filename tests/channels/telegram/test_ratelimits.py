"""Flood limits through PTB's AIORateLimiter: the outbox owns retries, a person waiting in the chat gets a few."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from bot.channels.telegram.ratelimits import INLINE_FLOOD_RETRIES
from bot.store.models import OutboxMessage
from tests.channels.telegram.conftest import AGENT, AGENTS_CHAT, OLEG
from tests.channels.telegram.test_agents import appeal_with_card, last_prompt
from tests.fakes.telegram_bot_api import FakeBotApi
from tests.fakes.telegram_harness import TelegramHarness, file_appeal

FLOOD = "Too Many Requests: retry after 1"


async def test_a_429_on_an_outbox_send_goes_back_to_the_outbox_at_once_and_logs_no_error(
    bot: TelegramHarness, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    await file_appeal(bot, OLEG, "olegz_dev")
    api.fail("sendMessage", 429, FLOOD, retry_after=1, chat_id=AGENTS_CHAT)

    await bot.deliver()

    assert len(api.calls("sendMessage", chat_id=AGENTS_CHAT)) == 1  # tried once: the limiter did not retry
    with bot.desk.db.session() as session:
        [card] = session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == str(AGENTS_CHAT))).all()
    assert card.status == "pending" and card.attempts == 1
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []


async def test_an_agents_question_refused_with_429_is_sent_once_telegram_allows_it(
    bot: TelegramHarness, api: FakeBotApi
) -> None:
    card_id = await appeal_with_card(bot)
    api.fail("sendMessage", 429, FLOOD, retry_after=1, chat_id=AGENTS_CHAT, times=INLINE_FLOOD_RETRIES)

    calls = await bot.taps(AGENT, "Request info", chat_id=AGENTS_CHAT, message_id=card_id)

    sends = [call for call in calls if call.method == "sendMessage"]
    assert [call.error for call in sends] == [FLOOD] * INLINE_FLOOD_RETRIES + [None]
    assert last_prompt(api) == int(sends[-1].response["message_id"])
    assert calls[-1].method == "answerCallbackQuery"
