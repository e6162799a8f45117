"""The outbox bell: a queued message wakes the delivery workers at once, not at their next poll,
whether it was queued in this process or, on PostgreSQL, in any other."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.core.bell import OutboxBell
from bot.core.outbox import Delivered, DeliveryResult, Notification, Outbound
from bot.desk import Desk
from bot.store.db import Database

LONG_POLL = 600.0  # a worker that only polled would sleep through every test here
WAIT = 10.0  # generous on a loaded machine, and still far short of the poll


class Recorder:
    channel = "terminal"

    def __init__(self) -> None:
        self.sent: asyncio.Queue[str] = asyncio.Queue()

    async def send(self, message: Outbound) -> DeliveryResult:
        await self.sent.put(message.context["text"])
        return Delivered()


def queue(database: Database, desk: Desk, key: str) -> None:
    """Queues one message through an outbox over `database` (another process's, when it is not the desk's)."""
    outbox = desk.outbox if database is desk.db else type(desk.outbox)(database, desk.clock)
    with database.session() as session:
        outbox.enqueue(session, Notification(key, "terminal", "chat-olga", "plain.j2", {"text": key}))


@pytest.fixture
async def running(desk: Desk) -> AsyncIterator[tuple[OutboxBell, Recorder, asyncio.Event]]:
    """One worker that polls only every ten minutes, woken by a bell wired to the desk's outbox."""
    bell, recorder, stop = OutboxBell(), Recorder(), asyncio.Event()
    desk.outbox.bells.append(bell.ring)
    worker = desk.worker({"terminal": recorder}, owner="woken", wake=bell.subscribe())
    task = asyncio.create_task(worker.run(stop, poll_seconds=LONG_POLL))
    await asyncio.sleep(0.1)  # its first look finds nothing, and it goes to sleep
    yield bell, recorder, stop
    stop.set()
    await task


async def test_a_message_queued_in_this_process_is_sent_without_waiting_for_the_poll(
    desk: Desk, running: tuple[OutboxBell, Recorder, asyncio.Event]
) -> None:
    _, recorder, _ = running
    await asyncio.to_thread(queue, desk.db, desk, "first")
    assert await asyncio.wait_for(recorder.sent.get(), WAIT) == "first"
    await asyncio.to_thread(queue, desk.db, desk, "second")
    assert await asyncio.wait_for(recorder.sent.get(), WAIT) == "second"


async def test_a_transaction_that_rolls_back_queues_nothing_and_rings_no_one(desk: Desk) -> None:
    rings: list[int] = []
    desk.outbox.bells.append(lambda: rings.append(1))
    with pytest.raises(RuntimeError), desk.db.session() as session:
        desk.outbox.enqueue(session, Notification("gone", "terminal", "chat-olga", "plain.j2", {"text": "gone"}))
        raise RuntimeError("the turn failed")
    assert rings == []
    await asyncio.to_thread(queue, desk.db, desk, "kept")
    assert rings == [1]


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_on_postgresql_a_message_queued_by_another_process_wakes_the_worker(
    desk: Desk, running: tuple[OutboxBell, Recorder, asyncio.Event]
) -> None:
    bell, recorder, stop = running
    listening = asyncio.create_task(bell.listen(desk.db.url, stop))
    await asyncio.wait_for(bell.listening.wait(), WAIT)
    await asyncio.sleep(0.2)  # the ring on connecting has been answered: only a NOTIFY can wake it now
    elsewhere = Database(desk.db.url)  # its own engine and no bell: as the command line, or another server
    try:
        await asyncio.to_thread(queue, elsewhere, desk, "from the command line")
        assert await asyncio.wait_for(recorder.sent.get(), WAIT) == "from the command line"
    finally:
        elsewhere.dispose()
        stop.set()
        await listening
