"""The notification outbox: at-least-once, once per dedupe key, retried with backoff, shared by workers."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, timedelta

from sqlmodel import select

from bot.core import outbox
from bot.core.clock import ManualClock
from bot.core.outbox import Delivered, DeliveryResult, Notification, Outbound, RetryLater, Undeliverable
from bot.core.tickets.actors import Actor
from bot.desk import Desk
from bot.store.models import OutboxMessage, User
from tests.chat import ChatUser, file_appeal

ALICE = Actor("cli", "alice")


class ScriptedSender:
    """Answers with the scripted results in turn (then Delivered), recording what it was given."""

    channel = "terminal"

    def __init__(self, *script: DeliveryResult | Exception) -> None:
        self.script = list(script)
        self.sent: list[Outbound] = []

    async def send(self, message: Outbound) -> DeliveryResult:
        self.sent.append(message)
        result = self.script.pop(0) if self.script else Delivered("m1")
        if isinstance(result, Exception):
            raise result
        return result


def deliver(desk: Desk, sender: ScriptedSender, owner: str = "w1") -> int:
    return asyncio.run(desk.worker({"terminal": sender}, owner=owner).run_once())


def enqueue(desk: Desk, key: str = "k1", chat_id: str = "chat-1") -> bool:
    with desk.db.session() as session:
        return desk.outbox.enqueue(session, Notification(key, "terminal", chat_id, "notify/intake_reminder.j2"))


def row(desk: Desk, key: str = "k1") -> OutboxMessage:
    with desk.db.session() as session:
        return session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == key)).one()


def test_a_dedupe_key_is_enqueued_once(desk: Desk) -> None:
    assert enqueue(desk)
    assert not enqueue(desk)
    with desk.db.session() as session:
        assert len(session.exec(select(OutboxMessage)).all()) == 1


def test_a_message_counts_as_sent_only_when_the_channel_confirms(desk: Desk) -> None:
    enqueue(desk)
    sender = ScriptedSender(Delivered("42"))
    assert deliver(desk, sender) == 1
    sent = row(desk)
    assert (sent.status, sent.platform_message_id, sent.attempts) == ("sent", "42", 1)
    assert deliver(desk, sender) == 0


def test_failures_are_retried_with_exponential_backoff(desk: Desk, clock: ManualClock) -> None:
    enqueue(desk)
    sender = ScriptedSender(ConnectionError("down"), ConnectionError("down"))
    deliver(desk, sender)
    first = row(desk)
    assert (first.status, first.attempts) == ("pending", 1)
    first_delay = (first.next_attempt_at - clock.now()).total_seconds()
    assert 1.5 <= first_delay <= 2.5
    assert deliver(desk, sender) == 0
    clock.advance(seconds=3)
    deliver(desk, sender)
    second_delay = (row(desk).next_attempt_at - clock.now()).total_seconds()
    assert 3.0 <= second_delay <= 5.0
    clock.advance(seconds=6)
    deliver(desk, sender)
    assert row(desk).status == "sent"
    assert len(sender.sent) == 3


def test_a_platforms_retry_after_is_honoured(desk: Desk, clock: ManualClock) -> None:
    enqueue(desk)
    deliver(desk, ScriptedSender(RetryLater("429 Too Many Requests", retry_after=30)))
    assert row(desk).next_attempt_at == clock.now() + timedelta(seconds=30)
    assert row(desk).last_error == "429 Too Many Requests"


def test_429s_before_a_failure_do_not_lengthen_its_backoff(desk: Desk, clock: ManualClock) -> None:
    """A 429 says when to try again; only failures without that word make the row wait longer, so a
    user's chat is not held for a minute by a 502 after a few rate limits."""
    enqueue(desk)
    sender = ScriptedSender(*[RetryLater("429 Too Many Requests", retry_after=1)] * 4, ConnectionError("down"))
    for _ in range(4):
        deliver(desk, sender)
        clock.advance(seconds=1)

    deliver(desk, sender)

    failed = row(desk)
    assert (failed.status, failed.attempts, failed.failures) == ("pending", 5, 1)
    assert 1.5 <= (failed.next_attempt_at - clock.now()).total_seconds() <= 2.5


def test_an_undeliverable_message_is_not_retried_and_agents_see_it(desk: Desk, clock: ManualClock) -> None:
    reference = file_appeal(ChatUser(desk))
    desk.tickets.claim(reference, ALICE)
    sender = ScriptedSender(Undeliverable("Forbidden: bot was blocked by the user"))
    deliver(desk, sender)
    clock.advance(hours=1)
    assert deliver(desk, sender) == 0
    with desk.db.session() as session:
        message = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "user")).one()
        assert message.status == "undeliverable"
        assert session.exec(select(User)).one().undeliverable_at is not None
    view = desk.tickets.show(reference, ALICE)
    assert view["requester"]["undeliverable"] is True
    blocked = [event for event in view["events"] if event["action"] == "undeliverable"]
    assert blocked[0]["internal_note"] == "Forbidden: bot was blocked by the user"


def test_a_crashed_workers_lease_expires_and_another_worker_takes_over(desk: Desk, clock: ManualClock) -> None:
    enqueue(desk)
    assert [message.id for message in desk.outbox.claim("crashed", ["terminal"])] == [row(desk).id]
    assert desk.outbox.claim("other", ["terminal"]) == []
    clock.advance(seconds=outbox.LEASE.total_seconds() + 1)
    taken = desk.outbox.claim("other", ["terminal"])
    assert len(taken) == 1
    desk.outbox.complete(taken[0].id, "crashed", Delivered())
    assert row(desk).status == "pending"
    desk.outbox.complete(taken[0].id, "other", Delivered())
    assert row(desk).status == "sent"


def test_a_dead_workers_row_is_taken_over_within_seconds(desk: Desk, clock: ManualClock) -> None:
    enqueue(desk)
    desk.outbox.claim("killed", ["terminal"])
    clock.advance(seconds=16)
    assert [message.id for message in desk.outbox.claim("restarted", ["terminal"])] == [row(desk).id]


class BlockedSender(ScriptedSender):
    """A send that lasts until the test lets it finish, like one waiting out a group's rate limit."""

    def __init__(self) -> None:
        super().__init__()
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def send(self, message: Outbound) -> DeliveryResult:
        self.started.set()
        await self.release.wait()
        return await super().send(message)


async def renewed(desk: Desk, clock: ManualClock) -> None:
    """Waits for the worker's heartbeat to extend the lease past the half lease just gone by."""
    async with asyncio.timeout(5):
        while (row(desk).lease_until or clock.now()).replace(tzinfo=UTC) - clock.now() <= outbox.LEASE / 2:
            await asyncio.sleep(0.005)


async def test_a_slow_send_keeps_its_row_for_as_long_as_it_lasts(desk: Desk, clock: ManualClock) -> None:
    enqueue(desk)
    sender = BlockedSender()
    worker = desk.worker({"terminal": sender}, owner="w1")
    worker.heartbeat_seconds = 0.01
    sending = asyncio.create_task(worker.run_once())
    await sender.started.wait()
    for _ in range(30):  # almost four minutes, far longer than a lease
        clock.advance(seconds=outbox.LEASE.total_seconds() / 2)
        await renewed(desk, clock)
        assert await asyncio.to_thread(desk.outbox.claim, "w2", ["terminal"]) == []

    sender.release.set()
    assert await sending == 1
    assert (row(desk).status, row(desk).attempts, len(sender.sent)) == ("sent", 1, 1)


def test_concurrent_workers_never_claim_the_same_message(desk: Desk) -> None:
    for index in range(40):
        enqueue(desk, f"k{index}", chat_id=f"chat-{index % 20}")
    claimed: dict[str, list[int]] = {}
    barrier = threading.Barrier(4)

    def work(owner: str) -> None:
        barrier.wait()
        ids: list[int] = []
        while batch := desk.outbox.claim(owner, ["terminal"], limit=5):
            ids.extend(message.id for message in batch)
        claimed[owner] = ids

    threads = [threading.Thread(target=work, args=(f"w{index}",)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    all_ids = [message_id for ids in claimed.values() for message_id in ids]
    assert len(all_ids) == 20  # the oldest row of each chat: the rest wait for it to be settled
    assert len(set(all_ids)) == 20


def test_a_chats_next_message_waits_until_the_earlier_one_is_settled(desk: Desk, clock: ManualClock) -> None:
    for key in ("first", "second"):
        enqueue(desk, key)
    enqueue(desk, "elsewhere", chat_id="chat-2")
    [first, elsewhere] = desk.outbox.claim("w1", ["terminal"])
    assert (first.id, elsewhere.id) == (row(desk, "first").id, row(desk, "elsewhere").id)
    assert desk.outbox.claim("w2", ["terminal"]) == []  # "second" may not overtake "first", on any worker

    desk.outbox.complete(first.id, "w1", RetryLater("502 Bad Gateway"))
    clock.advance(seconds=1)
    assert desk.outbox.claim("w2", ["terminal"]) == []  # still first in line while it waits for its retry
    clock.advance(minutes=5)
    [retried] = desk.outbox.claim("w2", ["terminal"], chat_id="chat-1")
    assert retried.id == first.id
    desk.outbox.complete(retried.id, "w2", Delivered())
    [second] = desk.outbox.claim("w2", ["terminal"], chat_id="chat-1")
    assert second.id == row(desk, "second").id


def test_concurrent_workers_keep_each_chats_order(desk: Desk) -> None:
    for index in range(30):
        enqueue(desk, f"k{index:02d}", chat_id=f"chat-{index % 3}")
    order: list[tuple[str, int]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(3)

    def work(owner: str) -> None:
        barrier.wait()
        idle = 0
        while idle < 20:
            batch = desk.outbox.claim(owner, ["terminal"], limit=2)
            idle = 0 if batch else idle + 1
            for message in batch:
                with lock:
                    order.append((message.chat_id, message.id))
                desk.outbox.complete(message.id, owner, Delivered())

    threads = [threading.Thread(target=work, args=(f"w{index}",)) for index in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(order) == 30
    for chat in ("chat-0", "chat-1", "chat-2"):
        ids = [message_id for chat_id, message_id in order if chat_id == chat]
        assert len(ids) == 10 and ids == sorted(ids)


def test_a_worker_for_one_chat_only_takes_that_chats_messages(desk: Desk) -> None:
    enqueue(desk, "mine")
    with desk.db.session() as session:
        desk.outbox.enqueue(session, Notification("theirs", "terminal", "chat-2", "notify/intake_reminder.j2"))
    sender = ScriptedSender()
    asyncio.run(desk.worker({"terminal": sender}, chat_id="chat-1").run_once())
    assert [message.chat_id for message in sender.sent] == ["chat-1"]


def test_running_out_of_retries_is_shown_to_agents_without_marking_the_user_gone(
    desk: Desk, clock: ManualClock
) -> None:
    reference = file_appeal(ChatUser(desk))
    desk.tickets.claim(reference, ALICE)
    sender = ScriptedSender(*[ConnectionError("down")] * outbox.MAX_ATTEMPTS)
    for _ in range(outbox.MAX_ATTEMPTS):
        deliver(desk, sender)
        clock.advance(hours=2)
    view = desk.tickets.show(reference, ALICE)
    assert [event["action"] for event in view["events"]].count("undeliverable") == 1
    assert view["requester"]["undeliverable"] is False
    with desk.db.session() as session:
        statuses = {row.status for row in session.exec(select(OutboxMessage).where(OutboxMessage.kind == "user"))}
    assert "failed" in statuses and "undeliverable" not in statuses
