"""Bad input through the real adapter: a clear answer, a short log line, never a crash or a spoofed name."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest

from bot.channels.telegram.channel import TelegramChannel
from bot.desk import Desk
from bot.web.app import create_app
from tests.channels.telegram.conftest import AGENT, AGENTS_CHAT, OLEG
from tests.channels.telegram.test_agents import appeal_with_card
from tests.fakes.telegram_bot_api import FakeBotApi, FakeUser
from tests.fakes.telegram_harness import TelegramHarness, file_appeal

STALE = "That button belongs to an earlier message"


async def test_a_button_without_data_is_answered_as_stale_in_the_group_and_in_private(
    bot: TelegramHarness, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    card_id = await appeal_with_card(bot)

    in_group = await bot.presses(AGENT, api.message(AGENTS_CHAT, card_id), "")
    in_private = await bot.presses(OLEG, api.messages_in(OLEG.id)[-1], "")

    for calls in (in_group, in_private):
        assert calls[-1].method == "answerCallbackQuery" and STALE in calls[-1].params["text"]
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    "body",
    [[{"update_id": 1}], 42, "update", None, {}, {"update_id": 5, "message": 5}, {"update_id": 6, "message": {}}],
)
async def test_a_webhook_body_that_is_not_an_update_is_refused_with_400_and_one_log_line(
    api: FakeBotApi, telegram_desk: Callable[..., Desk], caplog: pytest.LogCaptureFixture, body: object
) -> None:
    secret = "s3cret-token_1"
    desk = telegram_desk(telegram_webhook_url="https://desk.example.com/telegram/hook", telegram_webhook_secret=secret)
    channel = TelegramChannel(desk, desk.settings)
    await channel.start()
    try:
        app = create_app(desk, channel.routes())
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://desk") as client:
            response = await client.post(
                "/telegram/hook", json=body, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
            )
    finally:
        await channel.stop()

    assert response.status_code == 400 and "Traceback" not in response.text
    refusals = [record for record in caplog.records if "not an update" in record.getMessage()]
    assert len(refusals) == 1 and refusals[0].levelno == logging.WARNING and refusals[0].exc_info is None
    assert not api.calls("sendMessage")


async def test_bidirectional_controls_in_a_name_are_dropped_from_the_agents_card(
    bot: TelegramHarness, api: FakeBotApi
) -> None:
    """'Oleg' + RIGHT-TO-LEFT OVERRIDE + 'nimda' would show as 'Olegadmin' reversed: agents read it as typed."""
    spoofer = FakeUser(4343, "Oleg\u202enimda\u2066x\u2069")
    await file_appeal(bot, spoofer, "olegz_dev")
    await bot.deliver()

    card = api.calls("sendMessage", chat_id=AGENTS_CHAT)[-1].text
    assert "Requester: telegram Olegnimdax" in card
    assert not any(ch in card for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
