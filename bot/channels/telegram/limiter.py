"""Stays under Telegram's flood limits: about 30 messages a second overall, 1 a second in a chat, 20 a minute in a group.

Token buckets allow a short burst (a reply is often two or three messages) and then pace.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    rate: float
    burst: float
    tokens: float
    updated: float

    def reserve(self, now: float) -> float:
        """Takes one token, possibly borrowed from the future; returns how long to wait for it."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class RateLimiter:
    def __init__(
        self,
        overall_per_second: float = 30.0,
        chat_per_second: float = 1.0,
        group_per_minute: float = 20.0,
        burst: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.overall_per_second = overall_per_second
        self.chat_per_second = chat_per_second
        self.group_per_second = group_per_minute / 60
        self.burst = burst
        self.clock = clock
        self._overall = _Bucket(overall_per_second, overall_per_second, overall_per_second, clock())
        self._chats: dict[str, _Bucket] = {}

    def reserve(self, chat_id: str) -> float:
        """Seconds to wait before one more message to `chat_id` may go out (group chat ids are negative)."""
        now = self.clock()
        rate = self.group_per_second if chat_id.startswith("-") else self.chat_per_second
        bucket = self._chats.get(chat_id)
        if bucket is None:
            bucket = self._chats[chat_id] = _Bucket(rate, self.burst, self.burst, now)
        if len(self._chats) > 10_000:
            self._forget_idle(now)
        return max(bucket.reserve(now), self._overall.reserve(now))

    async def wait(self, chat_id: str) -> None:
        delay = self.reserve(chat_id)
        if delay > 0:
            await asyncio.sleep(delay)

    def _forget_idle(self, now: float) -> None:
        """Chats whose bucket is full again need no memory."""
        for chat_id, bucket in list(self._chats.items()):
            if bucket.tokens + (now - bucket.updated) * bucket.rate >= bucket.burst:
                del self._chats[chat_id]
