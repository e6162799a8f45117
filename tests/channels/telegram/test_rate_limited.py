"""`appealdesk_rate_limited_total` counts the Telegram sends the flood limiter holds back, and only those."""

from __future__ import annotations

from typing import Any

from bot.channels.telegram.ratelimits import flood_limits
from bot.core.telemetry import RATE_LIMITED


async def test_a_send_beyond_the_overall_rate_is_counted_as_held_back() -> None:
    limiter = flood_limits(overall_per_second=2, group=(0, 0))
    await limiter.initialize()
    counted = RATE_LIMITED.labels("telegram")

    async def send(*_args: Any, **_kwargs: Any) -> bool:
        return True

    before = counted._value.get()
    for _ in range(2):
        await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert counted._value.get() == before  # within the rate: nobody waited
    await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert counted._value.get() == before + 1
    await limiter.shutdown()
