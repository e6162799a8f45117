"""The user is told first on Telegram: a suspension recorded through the API reaches the fake Bot API's chat."""

from __future__ import annotations

import httpx

from bot.web.app import create_app
from tests.channels.telegram.conftest import OLEG
from tests.fakes.telegram_bot_api import FakeBotApi
from tests.fakes.telegram_harness import TelegramHarness
from tests.web.api.conftest import BASE, action


async def test_a_suspension_reaches_the_users_telegram_chat_with_the_rule_and_an_appeal_button(
    bot: TelegramHarness, api: FakeBotApi
) -> None:
    await bot.says(OLEG, "/start")
    key = bot.desk.api_keys.add("marketplace")
    transport = httpx.ASGITransport(app=create_app(bot.desk))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        response = await client.post(
            "/account-actions",
            json=action(action="permanent_suspension", chat_identity=f"telegram:{OLEG.id}"),
            headers={"Authorization": f"Bearer {key}"},
        )
    assert response.json()["user_told"] == "queued"
    mark = api.call_count()

    await bot.deliver()

    [told] = [call for call in api.calls(since=mark) if call.method == "sendMessage" and call.chat_id == OLEG.id]
    assert "WorkMarket has permanently suspended your account <b>olegz_dev</b>" in told.text
    assert "The rule: <b>Letting someone else use your account" in told.text
    assert "/appeal" in told.text
    assert [label for label, _ in told.buttons] == ["Start appeal", "Talk to a person"]
