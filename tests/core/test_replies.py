"""Replies to a message are outbox rows, queued with the turn and sent by id straight after, in the chat's order."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from bot.core.clock import ManualClock
from bot.core.events import Identity, Inbound
from bot.core.outbox import REPLY_KIND, SEND_NOW_LEASE, Delivered, DeliveryResult, Notification, Outbound, RetryLater
from bot.desk import Desk
from bot.store.models import OutboxMessage
from tests.chat import ChatUser

OLGA = Identity("terminal", "olga", "chat-olga")


class Recorder:
    """A channel's sender that answers with the scripted results in turn (then Delivered)."""

    channel = "terminal"

    def __init__(self, *script: DeliveryResult) -> None:
        self.script = list(script)
        self.sent: list[Outbound] = []

    async def send(self, message: Outbound) -> DeliveryResult:
        self.sent.append(message)
        return self.script.pop(0) if self.script else Delivered()


def rows(desk: Desk, kind: str = REPLY_KIND) -> list[OutboxMessage]:
    with desk.db.session() as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def answer(desk: Desk, inbound: Inbound, sender: Recorder, owner: str = "w1") -> list[str]:
    handled = asyncio.run(desk.answer(inbound, desk.worker({"terminal": sender}, owner=owner)))
    return [reply.template for reply in handled.replies]


def notify(desk: Desk, key: str) -> None:
    with desk.db.session() as session:
        desk.outbox.enqueue(session, Notification(key, "terminal", OLGA.chat_id, "notify/intake_reminder.j2"))


def test_the_replies_are_queued_with_the_turn_and_handle_still_returns_them(desk: Desk) -> None:
    replies = desk.handle(Inbound(OLGA, text="/appeal", update_id="u1"))

    queued = rows(desk)
    assert [row.template for row in queued] == [reply.template for reply in replies]
    assert [row.context for row in queued] == [reply.context for reply in replies]
    assert all(row.status == "pending" and row.chat_id == OLGA.chat_id and row.user_id for row in queued)


def test_a_redelivered_update_queues_nothing_more(desk: Desk) -> None:
    desk.handle(Inbound(OLGA, text="/appeal", update_id="u1"))
    count = len(rows(desk))

    assert desk.handle(Inbound(OLGA, text="/appeal", update_id="u1")) == []
    assert len(rows(desk)) == count


def test_a_reply_to_a_pressed_button_keeps_what_it_edits_and_what_it_expects(desk: Desk) -> None:
    user = ChatUser(desk, channel="web")  # a channel that edits messages (the terminal cannot)
    user.send("/appeal")
    user.send("olegz_dev")
    user.press("Permanently suspended")
    user.send("yesterday")
    user.press("No notice received")
    user.press("No reason given")
    user.send("2017")
    user.press("Top Rated Plus")
    user.press("Skip")
    toggle = Inbound(user.identity, payload=user.payload("VPN or travel"), update_id="tap", pressed_message_id="m-77")

    [reply] = desk.handle(toggle)

    [row] = [row for row in rows(desk) if row.edit_message_id is not None]
    assert reply.replaces_buttons and row.edit_message_id == "m-77" and row.expects == reply.expects == "choice"
    assert rows(desk)[-1].id == row.id


def test_a_failed_turn_keeps_nothing_but_the_reply_that_says_so(desk: Desk) -> None:
    def broken(_turn: object) -> None:
        raise RuntimeError("boom")

    desk.engine._dispatch = broken  # type: ignore[method-assign]
    replies = desk.handle(Inbound(OLGA, text="hello", update_id="u1"))

    assert [reply.template for reply in replies] == ["errors/internal.j2"]
    assert [row.template for row in rows(desk)] == ["errors/internal.j2"]


def test_replies_are_sent_at_once_and_not_again_by_the_workers(desk: Desk, clock: ManualClock) -> None:
    sender = Recorder()
    templates = answer(desk, Inbound(OLGA, text="/appeal", update_id="u1"), sender)

    assert [message.template for message in sender.sent] == templates
    assert {row.status for row in rows(desk)} == {"sent"}
    clock.advance(seconds=SEND_NOW_LEASE.total_seconds() + 1)
    assert asyncio.run(desk.worker({"terminal": sender}, owner="w2").run_once()) == 0


def test_replies_whose_sender_died_are_sent_by_the_workers_once_its_lease_ends(desk: Desk, clock: ManualClock) -> None:
    handled = desk.handle_turn(Inbound(OLGA, text="/appeal", update_id="u1"), lease_to="w1")  # then w1 died
    worker = desk.worker({"terminal": Recorder()}, owner="w2")

    assert len(handled.to_send) == len(rows(desk))
    assert asyncio.run(worker.run_once()) == 0  # w1 may still be sending them
    clock.advance(seconds=SEND_NOW_LEASE.total_seconds() + 1)
    assert asyncio.run(worker.run_once()) == len(rows(desk))
    assert {row.status for row in rows(desk)} == {"sent"}


def test_a_rate_limited_reply_waits_and_the_later_ones_wait_behind_it(desk: Desk, clock: ManualClock) -> None:
    sender = Recorder(RetryLater("ratelimited", retry_after=3))

    answer(desk, Inbound(OLGA, text="/appeal", update_id="u1"), sender)

    first, *later = [row for row in rows(desk) if row.status == "pending"]
    assert len(sender.sent) == 1 and first.attempts == 1
    assert later and all(row.attempts == 0 and row.lease_owner is None for row in later)
    worker = desk.worker({"terminal": sender}, owner="w1")
    clock.advance(seconds=2)
    assert asyncio.run(worker.run_once()) == 0  # the later replies wait behind the refused one
    clock.advance(seconds=1)
    asyncio.run(worker.run_once())
    assert {row.status for row in rows(desk)} == {"sent"}
    assert [message.id for message in sender.sent[1:]] == [first.id, *(row.id for row in later)]


def test_a_reply_waits_behind_a_notification_that_is_waiting_for_a_retry(desk: Desk, clock: ManualClock) -> None:
    notify(desk, "n1")
    busy = Recorder(RetryLater("ratelimited", retry_after=10))
    asyncio.run(desk.worker({"terminal": busy}, owner="w1").run_once())
    sender = Recorder()

    answer(desk, Inbound(OLGA, text="/help", update_id="u1"), sender)

    assert sender.sent == []
    clock.advance(seconds=10)
    asyncio.run(desk.worker({"terminal": sender}, owner="w1").run_once())
    assert [message.kind for message in sender.sent][:1] == ["user"]
    assert {row.status for row in rows(desk)} == {"sent"}


def test_an_earlier_due_notification_of_the_chat_goes_first_with_the_replies(desk: Desk) -> None:
    notify(desk, "n1")
    sender = Recorder()

    templates = answer(desk, Inbound(OLGA, text="/help", update_id="u1"), sender)

    assert [message.template for message in sender.sent] == ["notify/intake_reminder.j2", *templates]
