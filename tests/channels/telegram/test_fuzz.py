"""Fuzzing the Telegram adapter: random text, names, callback data, files, captions and webhook bodies
never crash it.

Each example goes through the real channel and the fake Bot API, which checks Telegram's HTML the
way Telegram does: a value that was not escaped fails there, as it would in production. Every message,
oversize ones included, is answered, and a file is kept only as what its content is, whatever its name
and the type Telegram declares for it.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.telegram.channel import SECRET_HEADER, TelegramChannel
from bot.desk import Desk
from bot.web.app import create_app
from tests.channels.telegram.conftest import AGENT, AGENTS_CHAT
from tests.fakes.telegram_bot_api import Call, FakeBotApi, FakeUser
from tests.fakes.telegram_harness import TelegramHarness
from tests.fuzzing import (
    CONTENTS,
    FUZZ,
    Content,
    SentFile,
    hostile_text,
    json_values,
    kept_as,
    oversize_text,
    sent_files,
)

SECRET = "fuzz-webhook-secret"
CAPTION_LIMIT = 1024  # what Telegram lets a user type under a file
_users = itertools.count(10_000)


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


def replied(calls: list[Call]) -> bool:
    return any(call.method in ("sendMessage", "editMessageText") for call in calls)


@FUZZ
@given(name=hostile_text(max_size=40), text=hostile_text() | oversize_text())
async def test_any_name_and_message_gets_an_answer_telegram_accepts(
    bot: TelegramHarness, caplog: pytest.LogCaptureFixture, name: str, text: str
) -> None:
    calls = await bot.says(FakeUser(next(_users), name or "x"), text)

    assert replied(calls)
    assert [call.error for call in calls if call.error] == []
    assert errors(caplog) == []


@FUZZ
@given(data=st.text(max_size=80))
async def test_any_callback_data_is_answered_in_private_and_in_the_agents_group(
    bot: TelegramHarness, api: FakeBotApi, caplog: pytest.LogCaptureFixture, data: str
) -> None:
    user = FakeUser(next(_users), "Fuzz")
    await bot.says(user, "/start")
    card = {"message_id": 1, "date": 0, "chat": {"id": AGENTS_CHAT, "type": "supergroup"}, "text": "card"}

    calls = await bot.presses(user, api.messages_in(user.id)[-1], data) + await bot.presses(AGENT, card, data)

    assert [call.method for call in calls].count("answerCallbackQuery") == 2
    assert [call.error for call in calls if call.error] == []
    assert errors(caplog) == []


CAPTIONS = st.sampled_from(["", "my booking"]) | hostile_text() | oversize_text(CAPTION_LIMIT)


@FUZZ
@given(sent=sent_files(), caption=CAPTIONS)
async def test_any_document_is_answered_and_kept_only_as_what_its_content_is(
    bot: TelegramHarness, caplog: pytest.LogCaptureFixture, sent: SentFile, caption: str
) -> None:
    user = FakeUser(next(_users), "Fuzz")
    await bot.says(user, "/appeal")

    calls = await bot.sends_document(user, sent.content.data, sent.name, sent.declared, caption)

    assert replied(calls)
    assert [call.error for call in calls if call.error] == []
    assert kept_as(bot.desk, sent.content) <= sent.content.kept_as
    assert errors(caplog) == []


@FUZZ
@given(content=st.sampled_from(CONTENTS), caption=CAPTIONS)
async def test_any_photo_with_any_caption_is_answered_and_kept_only_as_what_its_content_is(
    bot: TelegramHarness, caplog: pytest.LogCaptureFixture, content: Content, caption: str
) -> None:
    user = FakeUser(next(_users), "Fuzz")
    await bot.says(user, "/appeal")

    calls = await bot.sends_photo(user, content.data, caption)

    assert replied(calls)
    assert [call.error for call in calls if call.error] == []
    assert kept_as(bot.desk, content) <= content.kept_as
    assert errors(caplog) == []


@pytest.fixture
async def webhook(telegram_desk: Callable[..., Desk]) -> AsyncIterator[httpx.AsyncClient]:
    desk = telegram_desk(telegram_webhook_url="https://desk.example.com/telegram/hook", telegram_webhook_secret=SECRET)
    channel = TelegramChannel(desk, desk.settings)
    await channel.start()
    transport = httpx.ASGITransport(app=create_app(desk, channel.routes()))
    async with httpx.AsyncClient(transport=transport, base_url="http://desk") as client:
        yield client
    await channel.stop()


UPDATE_LIKE = st.fixed_dictionaries(
    {"update_id": st.integers()},
    optional={"message": json_values(), "callback_query": json_values(), "edited_message": json_values()},
)


@FUZZ
@given(body=st.one_of(json_values(), UPDATE_LIKE))
async def test_any_json_body_with_the_secret_is_handled_or_refused_never_a_server_error(
    webhook: httpx.AsyncClient, body: Any
) -> None:
    response = await webhook.post("/telegram/hook", json=body, headers={SECRET_HEADER: SECRET})
    assert response.status_code in (200, 400)
