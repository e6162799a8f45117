"""Telegram's flood limits, kept by python-telegram-bot's AIORateLimiter: 30 messages a second, 20 a minute a group.

The limiter waits before each send and edit. It retries no 429 by itself (`max_retries=0`): the
outbox owns retries, per chat, so a chat told to wait holds up only itself, whereas a retry inside
the limiter would halt every send of the bot. A call made while someone waits in the chat (an
agent's question) asks for a few retries of its own (`Poster.flood_retries`).

There is no per-private-chat limit (Telegram allows about one message a second there): a user's
chat gets one message at a time from the outbox, and a 429 is retried when Telegram says.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.constants import FloodLimit
from telegram.ext import AIORateLimiter

from bot.core.telemetry import RATE_LIMITED

OVERALL_PER_SECOND: float = FloodLimit.MESSAGES_PER_SECOND
GROUP: tuple[float, float] = (FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP, 60)  # messages, per seconds
INLINE_FLOOD_RETRIES = 2


class _PassedOn(logging.Filter):
    """The limiter logs each 429 it passes on as an error with a traceback; the outbox retries it, so it is none."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Rate limit hit after maximum of")


logging.getLogger("telegram.ext.AIORateLimiter").addFilter(_PassedOn())


class CountingRateLimiter(AIORateLimiter):
    """Counts each send that has to wait for the limiter (`appealdesk_rate_limited_total`): a steady
    count says the bot sends more than Telegram allows, and users wait for it."""

    async def process_request(
        self,
        callback: Any,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        if data.get("chat_id") is not None and self._waits(data["chat_id"]):
            RATE_LIMITED.labels("telegram").inc()
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)

    def _waits(self, chat_id: object) -> bool:
        overall = self._base_limiter
        if overall is not None and not overall.has_capacity():
            return True
        group = self._group_limiters.get(chat_id) if isinstance(chat_id, int) and chat_id < 0 else None
        return group is not None and not group.has_capacity()


def flood_limits(overall_per_second: float = OVERALL_PER_SECOND, group: tuple[float, float] = GROUP) -> AIORateLimiter:
    """Telegram's limits by default; 0 turns one off (the tests' fake Bot API has none)."""
    messages, seconds = group
    return CountingRateLimiter(
        overall_max_rate=overall_per_second,
        overall_time_period=1,
        group_max_rate=messages,
        group_time_period=seconds,
        max_retries=0,
    )
