"""Replies to users go through the outbox: a 429 or a crash delays them but loses nothing, and order holds."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.core.clock import ManualClock
from bot.core.delivery import DeliveryWorker
from bot.core.outbox import SEND_NOW_LEASE
from bot.desk import Desk
from tests.channels.telegram.conftest import AGENT, AGENTS_CHAT, OLEG
from tests.fakes.telegram_bot_api import FakeBotApi
from tests.fakes.telegram_harness import EVIDENCE_PDF, TelegramHarness, file_appeal


def delivered(api: FakeBotApi, method: str = "sendMessage") -> list[str]:
    return [call.text for call in api.calls(method, chat_id=OLEG.id) if call.error is None]


async def retries(bot: TelegramHarness, clock: ManualClock, seconds: float, times: int) -> None:
    for _ in range(times):
        clock.advance(seconds=seconds)
        await bot.deliver()


async def test_a_reply_refused_with_429_is_sent_once_telegram_allows_it(
    bot: TelegramHarness, api: FakeBotApi, clock: ManualClock
) -> None:
    api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=OLEG.id, times=3)

    calls = await bot.says(OLEG, "/status")

    assert [call.error for call in calls if call.method == "sendMessage"] == ["Too Many Requests: retry after 1"]
    assert delivered(api) == []
    await retries(bot, clock, seconds=1, times=3)
    [status] = delivered(api)
    assert "appeal" in status.lower()


async def test_a_toggle_refused_with_429_still_edits_the_pressed_message_in_place(
    bot: TelegramHarness, api: FakeBotApi, clock: ManualClock
) -> None:
    steps = ["Start appeal", "Permanently suspended", '"Irregular activity"', "Top Rated", "Prefer not to say"]
    await bot.says(OLEG, "/start")
    await bot.taps(OLEG, steps[0])
    await bot.says(OLEG, "olegz_dev")
    await bot.taps(OLEG, steps[1])
    await bot.says(OLEG, "yesterday")
    await bot.says(OLEG, "Your account was suspended because of irregular activity.")
    await bot.taps(OLEG, steps[2])
    await bot.says(OLEG, "2019")
    await bot.taps(OLEG, steps[3])
    await bot.taps(OLEG, steps[4])
    question, _ = bot.button(OLEG.id, "VPN or travel")
    sent_before = len(delivered(api))
    api.fail("editMessageText", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=OLEG.id, times=3)

    await bot.taps(OLEG, "VPN or travel")
    await retries(bot, clock, seconds=1, times=3)

    [edit] = [call for call in api.calls("editMessageText", chat_id=OLEG.id) if call.error is None]
    assert edit.params["message_id"] == question["message_id"]
    assert ("✓ VPN or travel", bot.button(OLEG.id, "✓ VPN or travel")[1]) in edit.buttons
    assert len(delivered(api)) == sent_before  # edited in place, not sent again as a new message


async def test_a_pressed_message_that_cannot_be_edited_gets_its_new_state_as_a_new_message(
    bot: TelegramHarness, api: FakeBotApi
) -> None:
    await bot.says(OLEG, "/start")
    await bot.taps(OLEG, "Start appeal")
    await bot.says(OLEG, "olegz_dev")
    await bot.taps(OLEG, "Nothing yet, I'm worried")
    await bot.says(OLEG, "skip")
    await bot.taps(OLEG, "Skip")
    await bot.taps(OLEG, "Skip")
    sent_before = len(delivered(api))
    api.fail("editMessageText", 400, "Bad Request: message can't be edited", chat_id=OLEG.id)

    await bot.taps(OLEG, "VPN or travel")

    assert len(delivered(api)) == sent_before + 1
    assert bot.button(OLEG.id, "✓ VPN or travel")


async def test_a_reply_waits_behind_the_users_earlier_notification(
    bot: TelegramHarness, api: FakeBotApi, clock: ManualClock
) -> None:
    await file_appeal(bot, OLEG, "olegz_dev")
    await bot.deliver()
    await bot.taps(AGENT, "Claim", chat_id=AGENTS_CHAT)
    api.fail("sendMessage", 429, "Too Many Requests: retry after 5", retry_after=5, chat_id=OLEG.id)
    await bot.deliver()  # the "a reviewer is on it" notification now waits 5 s
    before = len(delivered(api))

    await bot.says(OLEG, "/status")

    assert len(delivered(api)) == before
    await retries(bot, clock, seconds=5, times=1)
    notification, status = delivered(api)[before:]
    assert "AD-2026-000001" in notification and "Next update by" not in notification
    assert "AD-2026-000001</b> (Appeal): A reviewer is working on it" in status


async def test_a_reply_not_sent_before_a_crash_is_sent_by_the_workers(
    bot: TelegramHarness, api: FakeBotApi, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def died_after_commit(_worker: DeliveryWorker, _ids: object) -> int:
        return 0

    monkeypatch.setattr(DeliveryWorker, "deliver", died_after_commit)
    await bot.says(OLEG, "/start")
    assert delivered(api) == []

    clock.advance(seconds=SEND_NOW_LEASE.total_seconds() + 1)
    await bot.deliver()

    assert len(delivered(api)) == 1
    assert bot.button(OLEG.id, "Start appeal")


async def test_the_notice_that_a_file_is_too_big_for_telegram_survives_429s_like_any_reply(
    api: FakeBotApi, telegram_desk: Callable[..., Desk], clock: ManualClock
) -> None:
    bot = TelegramHarness(api, telegram_desk(telegram_download_limit_mb=0.001))  # about 1 KB through this server
    await bot.start()
    try:
        api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=OLEG.id, times=3)

        await bot.sends_document(OLEG, EVIDENCE_PDF, "booking.pdf", "application/pdf")
        assert delivered(api) == []
        await retries(bot, clock, seconds=1, times=3)

        [notice] = delivered(api)
        assert "Not saved: booking.pdf" in notice and "Telegram lets me download" in notice
        assert api.calls("getFile") == [] and bot.desk.user_of("telegram", str(OLEG.id)) is None
    finally:
        await bot.stop()


async def test_the_pointer_to_the_private_chat_survives_429s_and_answers_the_groups_command(
    bot: TelegramHarness, api: FakeBotApi, clock: ManualClock
) -> None:
    group = -100777
    api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=group, times=3)

    await bot.says(OLEG, "/appeal@appealdesk_test_bot", chat_id=group)
    assert [call for call in api.calls("sendMessage", chat_id=group) if call.error is None] == []
    await retries(bot, clock, seconds=1, times=3)

    [pointer] = [message for message in api.messages_in(group) if message["from"]["is_bot"]]
    assert "only help in a private chat" in pointer["text"]
    assert pointer["reply_to_message"]["text"] == "/appeal@appealdesk_test_bot"
