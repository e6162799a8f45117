"""Routing of the agents' buttons: one CallbackQueryHandler per kind of button, by its callback data."""

from __future__ import annotations

import pytest

from tests.channels.telegram.conftest import AGENT, AGENTS_CHAT, OLEG, STRANGER
from tests.channels.telegram.test_agents import appeal_with_card, ticket
from tests.fakes.telegram_bot_api import FakeBotApi
from tests.fakes.telegram_harness import TelegramHarness

STALE = "That button belongs to an earlier message"
REFUSED = "only support agents can do this"


@pytest.mark.parametrize(
    "data",
    [
        "tk:",
        "tk:abc:claim",
        "tk:{id}",
        "tk:{id}:",
        "tk:{id}:escalate",
        "tk:{id}:claim:now",
        "tk:{id}:o:forgiven",
        "tk:{id}:r:upheld:x",
        "tk:{id}:r:nonsense:1",
        "tk:{id}:a:maybe",
        "tk:{id}:w",
        "tk:{id}:a:y",
    ],
)
async def test_forged_or_spent_agent_buttons_are_answered_as_stale_and_change_nothing(
    bot: TelegramHarness, api: FakeBotApi, data: str
) -> None:
    card_id = await appeal_with_card(bot)

    calls = await bot.presses(AGENT, api.message(AGENTS_CHAT, card_id), data.format(id=ticket(bot).id))

    assert [call.method for call in calls] == ["answerCallbackQuery"]
    assert STALE in calls[0].params["text"] and calls[0].params["show_alert"] is True
    assert ticket(bot).status == "new"


@pytest.mark.parametrize("action", ["claim", "info", "reply", "note", "resolve", "o:upheld", "r:upheld:0", "x"])
async def test_every_agents_route_refuses_someone_who_is_not_an_agent(
    bot: TelegramHarness, api: FakeBotApi, action: str
) -> None:
    card_id = await appeal_with_card(bot)

    calls = await bot.presses(STRANGER, api.message(AGENTS_CHAT, card_id), f"tk:{ticket(bot).id}:{action}")

    assert [call.method for call in calls] == ["answerCallbackQuery"]
    assert REFUSED in calls[0].params["text"] and "Mallory" in calls[0].params["text"]
    assert ticket(bot).status == "new" and ticket(bot).assignee is None


async def test_an_agents_button_on_a_ticket_that_does_not_exist_says_so(bot: TelegramHarness, api: FakeBotApi) -> None:
    card_id = await appeal_with_card(bot)

    calls = await bot.presses(AGENT, api.message(AGENTS_CHAT, card_id), "tk:999999:claim")

    assert [call.method for call in calls] == ["answerCallbackQuery"]
    assert "There is no ticket #999999" in calls[0].params["text"]


async def test_a_freelancers_button_without_data_is_answered_as_stale_and_never_reaches_the_core(
    bot: TelegramHarness, api: FakeBotApi
) -> None:
    await appeal_with_card(bot)
    sent_before = len(api.calls("sendMessage", chat_id=OLEG.id))

    calls = await bot.presses(OLEG, api.messages_in(OLEG.id)[-1], "")

    assert [call.method for call in calls] == ["answerCallbackQuery"] and STALE in calls[0].params["text"]
    assert len(api.calls("sendMessage", chat_id=OLEG.id)) == sent_before
