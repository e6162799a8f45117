"""Webhook mode: a route on the product's HTTP server that takes only requests carrying the secret."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from bot.channels.telegram.channel import TelegramChannel
from bot.config import StartupProblem
from bot.desk import Desk
from bot.web.app import create_app
from tests.channels.telegram.conftest import OLEG
from tests.fakes.telegram_bot_api import FakeBotApi

URL = "https://desk.example.com/telegram/hook"
SECRET = "s3cret-token_1"


def update(update_id: int, text: str) -> dict[str, object]:
    user = OLEG.json()
    chat = {"id": OLEG.id, "type": "private", "first_name": OLEG.first_name}
    return {"update_id": update_id, "message": {"message_id": 1, "date": 0, "chat": chat, "from": user, "text": text}}


async def test_webhook_checks_the_secret_on_every_request(api: FakeBotApi, telegram_desk: Callable[..., Desk]) -> None:
    desk = telegram_desk(telegram_webhook_url=URL, telegram_webhook_secret=SECRET)
    channel = TelegramChannel(desk, desk.settings)
    await channel.start()
    try:
        assert api.webhook["url"] == URL and api.webhook["secret_token"] == SECRET
        assert not api.calls("getUpdates")
        app = create_app(desk, channel.routes())
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://desk") as client:
            missing = await client.post("/telegram/hook", json=update(1, "/start"))
            wrong = await client.post(
                "/telegram/hook", json=update(2, "/start"), headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}
            )
            assert missing.status_code == 403 and wrong.status_code == 403
            assert not api.calls("sendMessage")

            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            good = await client.post("/telegram/hook", json=update(3, "/start"), headers=headers)
            assert good.status_code == 200
            assert "Start appeal" in [label for label, _ in api.calls("sendMessage", chat_id=OLEG.id)[-1].buttons]

            again = await client.post("/telegram/hook", json=update(3, "/start"), headers=headers)
            assert again.status_code == 200 and len(api.calls("sendMessage")) == 1  # a redelivery changes nothing
            broken = await client.post("/telegram/hook", content=b"{not json", headers=headers)
            assert broken.status_code == 400
    finally:
        await channel.stop()


def test_webhook_mode_needs_a_secret(telegram_desk: Callable[..., Desk]) -> None:
    desk = telegram_desk(telegram_webhook_url=URL)
    with pytest.raises(StartupProblem) as problem:
        TelegramChannel(desk, desk.settings)
    assert problem.value.setting == "APPEALDESK_TELEGRAM_WEBHOOK_SECRET"
