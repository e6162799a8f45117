"""Background work after ack(): in arrival order per user, and no memory kept for users gone quiet."""

from __future__ import annotations

import asyncio

from bot.channels.slack.tasks import Background


async def test_one_users_work_runs_in_arrival_order() -> None:
    background, done = Background(), []
    release = asyncio.Event()

    async def work(number: int) -> None:
        if number == 0:
            await release.wait()
        done.append(number)

    for number in range(3):
        background.spawn("U1", work(number))
    await asyncio.sleep(0)
    release.set()
    await background.drain()

    assert done == [0, 1, 2]


async def test_a_users_lock_is_gone_once_their_work_is_done() -> None:
    background = Background()
    release = asyncio.Event()

    async def work() -> None:
        await release.wait()

    for user in range(1000):
        background.spawn(f"U{user}", work())
    await asyncio.sleep(0)
    assert background.keys_in_flight == 1000
    release.set()
    await background.drain()

    assert background.keys_in_flight == 0
