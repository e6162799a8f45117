"""A fake Bot API server per test, a Desk wired for Telegram, and the harness that drives the real channel."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from bot.desk import Desk
from tests.conftest import DeskFactory
from tests.fakes.telegram_bot_api import FakeBotApi, FakeUser
from tests.fakes.telegram_harness import TelegramHarness

AGENTS_CHAT = -1001234567890
AGENT = FakeUser(900, "Alice", "alice_ts")
OTHER_AGENT = FakeUser(901, "Bob")
STRANGER = FakeUser(666, "Mallory")
OLEG = FakeUser(4242, "Oleg", "olegz")


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        yield server


@pytest.fixture
def telegram_desk(make_desk: DeskFactory, api: FakeBotApi) -> Callable[..., Desk]:
    """A Desk configured like production Telegram, but pointed at the fake server."""

    def make(**overrides: Any) -> Desk:
        values: dict[str, Any] = {
            "telegram_token": api.token,
            "telegram_api_url": api.url,
            "telegram_agents_chat": str(AGENTS_CHAT),
            "telegram_agents": [str(AGENT.id), str(OTHER_AGENT.id)],
        }
        return make_desk(**{**values, **overrides}).migrate()

    return make


@pytest.fixture
async def bot(api: FakeBotApi, telegram_desk: Callable[..., Desk]) -> AsyncIterator[TelegramHarness]:
    harness = TelegramHarness(api, telegram_desk())
    await harness.start()
    yield harness
    await harness.stop()
