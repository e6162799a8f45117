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

from telegram.constants import FloodLimit
from telegram.ext import AIORateLimiter

OVERALL_PER_SECOND: float = FloodLimit.MESSAGES_PER_SECOND
GROUP: tuple[float, float] = (FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP, 60)  # messages, per seconds
INLINE_FLOOD_RETRIES = 2


class _PassedOn(logging.Filter):
    """The limiter logs each 429 it passes on as an error with a traceback; the outbox retries it, so it is none."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Rate limit hit after maximum of")


logging.getLogger("telegram.ext.AIORateLimiter").addFilter(_PassedOn())


def flood_limits(overall_per_second: float = OVERALL_PER_SECOND, group: tuple[float, float] = GROUP) -> AIORateLimiter:
    """Telegram's limits by default; 0 turns one off (the tests' fake Bot API has none)."""
    messages, seconds = group
    return AIORateLimiter(
        overall_max_rate=overall_per_second,
        overall_time_period=1,
        group_max_rate=messages,
        group_time_period=seconds,
        max_retries=0,
    )
