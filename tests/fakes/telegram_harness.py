"""Drives the real Telegram channel against FakeBotApi: simulated users, and waiting until an update is handled.

The channel polls the fake like it would poll Telegram. A last handler group marks each update as
handled, so a test knows exactly when the bot is done with it, without sleeping.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

from telegram import Update
from telegram.ext import AIORateLimiter, ContextTypes, TypeHandler

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.ratelimits import flood_limits
from bot.desk import Desk
from tests.fakes.telegram_bot_api import Call, FakeBotApi, FakeUser

HANDLED_GROUP = 1000


class Person(Protocol):
    """What a simulated user does, whether updates reach the bot by polling or by webhook."""

    async def says(
        self, user: FakeUser, text: str, chat_id: int | None = None, reply_to: int | None = None
    ) -> list[Call]: ...

    async def sends_document(self, user: FakeUser, data: bytes, name: str, mime_type: str) -> list[Call]: ...

    async def taps(
        self, user: FakeUser, label: str, chat_id: int | None = None, message_id: int | None = None
    ) -> list[Call]: ...


def find_button(api: FakeBotApi, chat_id: int, label: str, message_id: int | None = None) -> tuple[dict[str, Any], str]:
    """The newest message in the chat (or `message_id`) with a button of this label, and its callback data."""
    for message in reversed(api.messages_in(chat_id)):
        if message_id is not None and message["message_id"] != message_id:
            continue
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button["text"] == label:
                    return message, button["callback_data"]
    raise LookupError(f"no button {label!r} in chat {chat_id}")


class TelegramHarness:
    def __init__(
        self, api: FakeBotApi, desk: Desk, rate_limiter: AIORateLimiter | None = None, timeout: float = 15.0
    ) -> None:
        """`rate_limiter`: the product's, with no pace (the fake has no flood limits) unless given."""
        self.api = api
        self.desk = desk
        self.rate_limiter = rate_limiter or flood_limits(overall_per_second=0, group=(0, 0))
        self.timeout = timeout
        self.channel: TelegramChannel | None = None
        self._handled: dict[int, asyncio.Event] = {}
        self.latencies: list[float] = []  # seconds from an update's arrival at the API to the bot's first reply

    async def start(self) -> TelegramChannel:
        self.channel = TelegramChannel(self.desk, self.desk.settings, rate_limiter=self.rate_limiter, poll_timeout=1)
        self.channel.application.add_handler(TypeHandler(Update, self._mark), group=HANDLED_GROUP)
        await self.channel.start()
        return self.channel

    async def stop(self) -> None:
        if self.channel is not None:
            await self.channel.stop()
            self.channel = None

    async def deliver(self) -> int:
        """Runs the outbox once through the channel's sender, like the delivery worker does."""
        assert self.channel is not None
        return await self.desk.worker(self.channel.senders()).run_once()

    # ---- simulated people ----------------------------------------------------------------------------

    async def says(
        self, user: FakeUser, text: str, chat_id: int | None = None, reply_to: int | None = None
    ) -> list[Call]:
        chat = chat_id or user.id
        replied = self.api.message(chat, reply_to) if reply_to is not None else None
        return await self.round(lambda: self.api.text(user, text, chat_id, replied), chat)

    async def sends_document(
        self, user: FakeUser, data: bytes, name: str, mime_type: str, caption: str = ""
    ) -> list[Call]:
        return await self.round(lambda: self.api.document(user, data, name, mime_type, caption), user.id)

    async def sends_photo(self, user: FakeUser, data: bytes, caption: str = "") -> list[Call]:
        return await self.round(lambda: self.api.photo(user, data, caption), user.id)

    async def taps(
        self, user: FakeUser, label: str, chat_id: int | None = None, message_id: int | None = None
    ) -> list[Call]:
        """Taps the button with this label on the newest message that has one (or on `message_id`)."""
        chat = chat_id or user.id
        message, data = self.button(chat, label, message_id)
        return await self.round(lambda: self.api.press(user, message, data), chat)

    async def presses(self, user: FakeUser, message: dict[str, Any], data: str) -> list[Call]:
        """Presses raw callback data on a message, e.g. a button from an old message."""
        return await self.round(lambda: self.api.press(user, message, data), int(message["chat"]["id"]))

    def button(self, chat_id: int, label: str, message_id: int | None = None) -> tuple[dict[str, Any], str]:
        return find_button(self.api, chat_id, label, message_id)

    async def round(self, push: Callable[[], int], chat_id: int) -> list[Call]:
        """Pushes one update and returns the calls the bot made for this chat while handling it."""
        mark = self.api.call_count()
        update_id = push()
        await self.wait(update_id)
        calls = [c for c in self.api.calls(since=mark) if c.chat_id == chat_id or c.method == "answerCallbackQuery"]
        reply = next((c for c in calls if c.method in ("sendMessage", "editMessageText")), None)
        if reply is not None:
            self.latencies.append(reply.at - self.api.pushed_at(update_id))
        return calls

    async def wait(self, update_id: int) -> None:
        await asyncio.wait_for(self._event(update_id).wait(), self.timeout)

    def _event(self, update_id: int) -> asyncio.Event:
        return self._handled.setdefault(update_id, asyncio.Event())

    async def _mark(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        self._event(update.update_id).set()


EVIDENCE_PDF = b"%PDF-1.4\n% travel booking 12-19 Nov\n" + b"0" * 2048


async def file_appeal(
    bot: Person, user: FakeUser, account: str, explanation: str | None = None, start: bool = True
) -> list[Call]:
    """One freelancer's complete appeal, from /start (or, with `start=False`, from the account question)
    to "Send appeal", with a document as evidence. What the platform's record answers is not asked
    (the record is shown instead), so it is not answered."""
    calls: list[Call] = []
    if start:
        calls.extend(await bot.says(user, "/start"))
        calls.extend(await bot.taps(user, "Start appeal"))
    asked = await bot.says(user, account)
    calls.extend(asked)
    if any(label == "Permanently suspended" for call in asked for label, _ in call.buttons):
        calls.extend(await bot.taps(user, "Permanently suspended"))
        calls.extend(await bot.says(user, "yesterday"))
    reason = await bot.says(user, "Your account was suspended because of irregular activity.")
    calls.extend(reason)
    if any(label == '"Irregular activity"' for call in reason for label, _ in call.buttons):
        calls.extend(await bot.taps(user, '"Irregular activity"'))
    steps: list[Callable[[], Any]] = [
        lambda: bot.says(user, "2019"),
        lambda: bot.taps(user, "Top Rated"),
        lambda: bot.taps(user, "Prefer not to say"),
        lambda: bot.taps(user, "VPN or travel"),
        lambda: bot.taps(user, "New device or login"),
        lambda: bot.taps(user, "Done"),
        lambda: bot.says(
            user,
            explanation
            or "I was travelling in Portugal from 12 to 19 Nov and used the hotel wifi with a VPN for client work.",
        ),
        lambda: bot.taps(user, "That's all"),
        lambda: bot.sends_document(user, EVIDENCE_PDF, "booking.pdf", "application/pdf"),
        lambda: bot.taps(user, "Done, no more files"),
        lambda: bot.taps(user, "Here in this chat"),
        lambda: bot.taps(user, "Yes, I agree"),
        lambda: bot.taps(user, "Send appeal"),
    ]
    for step in steps:
        calls.extend(await step())
    return calls
