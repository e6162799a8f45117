"""Data that only grows is purged on schedule: update ids, handled inbox rows, delivered outbox rows, and the
files of decided tickets, whose records and hashes stay as proof."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import col, func, select

from bot.core.clock import ManualClock
from bot.core.outbox import Notification
from bot.core.tickets.actors import Actor
from bot.core.tickets.lifecycle import Refused
from bot.desk import Desk
from bot.store.models import Evidence, InboxUpdate, OutboxMessage, ProcessedUpdate, Ticket, TicketEvent
from tests.chat import ChatUser, file_appeal, pdf
from tests.conftest import DeskFactory

ALICE = Actor("cli", "alice")
DAY = 24.0


def count(desk: Desk, model: type, *where: object) -> int:
    with desk.db.session() as session:
        return int(session.exec(select(func.count()).select_from(model).where(*where)).one())  # type: ignore[arg-type]


def test_update_ids_inbox_rows_and_delivered_messages_go_after_their_retention(
    make_desk: DeskFactory, clock: ManualClock
) -> None:
    desk = make_desk(retention_update_days=30, retention_outbox_days=10)
    ChatUser(desk).send("hello")
    desk.inbox.record("terminal", [("kept-1", {"text": "hello"})])
    desk.inbox.done("terminal", "kept-1")
    with desk.db.session() as session:
        desk.outbox.enqueue(session, Notification("waiting", "terminal", "chat-9", "notify/intake_reminder.j2"))
    sent_before = count(desk, OutboxMessage, OutboxMessage.status == "sent")
    assert sent_before > 0

    clock.advance(hours=11 * DAY)
    purged = desk.scheduler.run_once().purged
    assert purged is not None and (purged.outbox, purged.updates, purged.inbox) == (sent_before, 0, 0)
    assert count(desk, OutboxMessage, OutboxMessage.status == "pending") == 1, "what is not delivered stays"

    clock.advance(hours=20 * DAY)
    purged = desk.scheduler.run_once().purged
    assert purged is not None and purged.updates >= 1 and purged.inbox == 1
    assert count(desk, ProcessedUpdate) == 0 and count(desk, InboxUpdate) == 0


def test_an_unhandled_inbox_row_is_never_purged(make_desk: DeskFactory, clock: ManualClock) -> None:
    desk = make_desk(retention_update_days=1)
    desk.inbox.record("terminal", [("still-to-do", {"text": "hi"})])
    clock.advance(hours=3 * DAY)
    desk.scheduler.run_once()
    assert desk.inbox.undone("terminal") == [("still-to-do", {"text": "hi"})]


def test_purges_go_in_batches_until_nothing_is_left(make_desk: DeskFactory, clock: ManualClock) -> None:
    desk = make_desk(retention_update_days=1, retention_batch_size=2)
    for number in range(5):
        desk.inbox.record("terminal", [(f"u{number}", {})])
        desk.inbox.done("terminal", f"u{number}")
    clock.advance(hours=2 * DAY)
    purged = desk.retention.purge()
    assert purged.inbox == 5 and count(desk, InboxUpdate) == 0


def test_files_of_a_decided_ticket_go_after_their_retention_and_the_ticket_keeps_their_hashes(
    make_desk: DeskFactory, clock: ManualClock
) -> None:
    desk = make_desk(retention_evidence_days=90)
    reference = file_appeal(ChatUser(desk), files=(pdf(),))
    with desk.db.session() as session:
        evidence = session.exec(select(Evidence)).one()
    stored = Path(evidence.storage_path)
    assert stored.exists()
    desk.tickets.claim(reference, ALICE)
    clock.advance(hours=80 * DAY)
    assert desk.scheduler.run_once().purged.files == 0, "an open ticket keeps its files"  # type: ignore[union-attr]
    desk.tickets.resolve(
        reference, ALICE, "reinstated", "location-or-vpn", "The logins came from your VPN.", "Your booking."
    )

    clock.advance(hours=89 * DAY)
    assert desk.retention.purge().files == 0
    clock.advance(hours=2 * DAY)
    assert desk.retention.purge().files == 1

    assert not stored.exists()
    shown = desk.tickets.show(reference, ALICE)
    assert [file["sha256"] for file in shown["files"]] == [evidence.sha256]
    with desk.db.session() as session:
        custody = session.exec(select(TicketEvent).where(TicketEvent.action == "evidence_purged")).one()
    assert custody.data == {"files": [{"id": evidence.id, "sha256": evidence.sha256}], "reason": "retention"}
    with pytest.raises(Refused) as refused:
        desk.tickets.download(reference, evidence.id or 0, ALICE)
    assert refused.value.code == "file_purged"


def test_a_file_another_ticket_still_needs_keeps_its_bytes(make_desk: DeskFactory, clock: ManualClock) -> None:
    desk = make_desk(retention_evidence_days=30)
    first = file_appeal(ChatUser(desk, name="olga"), files=(pdf(),))
    file_appeal(ChatUser(desk, name="ivan"), files=(pdf(),))  # the same bytes, another person's open appeal
    desk.tickets.claim(first, ALICE)
    desk.tickets.resolve(first, ALICE, "withdrawn", "user-request", "You asked us to close it.", "Your message.")
    clock.advance(hours=31 * DAY)
    assert desk.retention.purge().files == 1
    with desk.db.session() as session:
        kept = session.exec(select(Evidence).where(col(Evidence.purged_at).is_(None))).one()
        ticket = session.get(Ticket, kept.ticket_id)
    assert ticket is not None and ticket.status != "resolved"
    assert Path(kept.storage_path).exists()


def test_zero_days_keeps_everything(make_desk: DeskFactory, clock: ManualClock) -> None:
    desk = make_desk(retention_update_days=0, retention_outbox_days=0, retention_evidence_days=0)
    ChatUser(desk).send("hello")
    clock.advance(hours=5000 * DAY)
    purged = desk.retention.purge()
    assert (purged.updates, purged.inbox, purged.outbox, purged.files) == (0, 0, 0, 0)
