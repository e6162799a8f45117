"""The response promise: status updates on a schedule, escalation when late, one intake reminder."""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.core.clock import ManualClock
from bot.core.rendering import format_when
from bot.core.scheduler import Scheduler
from bot.core.tickets.actors import Actor
from bot.desk import Desk
from bot.store.models import OutboxMessage, Ticket, User
from tests.chat import ChatUser, file_appeal
from tests.conftest import DeskFactory
from tests.core.test_outbox import ScriptedSender

ALICE = Actor("cli", "alice")
REQUESTERS = itertools.count()


def messages(desk: Desk, kind: str = "user") -> list[OutboxMessage]:
    with desk.db.session() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        return list(session.exec(query))


def deliver_all(desk: Desk) -> None:
    """Every queued message reaches the user's chat."""
    asyncio.run(desk.worker({"terminal": ScriptedSender()}).run_once())


def open_questions(desk: Desk, clock: ManualClock, count: int) -> None:
    """Opens `count` tickets straight through the ticket service, each from a user of its own."""
    with desk.db.session() as session:
        for _ in range(count):
            name = f"requester-{next(REQUESTERS)}"
            user = User(channel="terminal", platform_user_id=name, chat_id=f"chat-{name}", created_at=clock.now())
            session.add(user)
            session.flush()
            desk.tickets.open_ticket(session, user, "question", {"question": "When will I hear back?"})


def test_a_run_reads_only_the_tickets_that_are_due_not_every_open_one(
    make_desk: DeskFactory, clock: ManualClock
) -> None:
    desk = make_desk(status_update_hours=6, first_response_hours=24, resolution_hours=72)
    open_questions(desk, clock, 3)
    clock.advance(hours=4)
    open_questions(desk, clock, 40)
    clock.advance(hours=2, seconds=1)
    run = desk.scheduler.run_once()
    assert (run.status_updates, run.escalations, run.touched) == (3, 0, 3)
    clock.advance(hours=1)
    run = desk.scheduler.run_once()
    assert (run.status_updates, run.touched) == (0, 0)


def test_more_due_tickets_than_one_batch_are_all_handled_in_one_run(make_desk: DeskFactory, clock: ManualClock) -> None:
    desk = make_desk(scheduler_batch_size=4, status_update_hours=6, first_response_hours=24, resolution_hours=72)
    open_questions(desk, clock, 10)
    clock.advance(hours=24, seconds=1)
    run = desk.scheduler.run_once()
    assert (run.escalations, run.status_updates, run.touched) == (10, 0, 10)
    assert len([message for message in messages(desk) if message.template == "notify/escalated.j2"]) == 10
    clock.advance(hours=6, seconds=1)
    run = desk.scheduler.run_once()
    assert (run.escalations, run.status_updates, run.touched) == (0, 10, 10)


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_a_due_ticket_another_transaction_holds_is_left_to_the_next_run(
    make_desk: DeskFactory, clock: ManualClock
) -> None:
    desk = make_desk(status_update_hours=6, first_response_hours=24, resolution_hours=72)
    open_questions(desk, clock, 3)
    clock.advance(hours=6, seconds=1)
    with desk.db.session() as session:
        session.exec(select(Ticket).order_by(col(Ticket.id)).limit(1).with_for_update()).one()
        run = desk.scheduler.run_once()
    assert (run.status_updates, run.touched) == (2, 2)
    assert desk.scheduler.run_once().status_updates == 1


def test_an_open_ticket_gets_a_status_update_after_each_quiet_interval(
    make_desk: DeskFactory, clock: ManualClock
) -> None:
    desk = make_desk(status_update_hours=6, first_response_hours=48, resolution_hours=96)
    file_appeal(ChatUser(desk))
    clock.advance(hours=5)
    assert desk.scheduler.run_once().status_updates == 0
    clock.advance(hours=1, seconds=1)
    assert desk.scheduler.run_once().status_updates == 1
    assert desk.scheduler.run_once().status_updates == 0
    deliver_all(desk)
    clock.advance(hours=6)
    assert desk.scheduler.run_once().status_updates == 1
    updates = [message for message in messages(desk) if message.template == "notify/status_update.j2"]
    assert len(updates) == 2
    text = desk.renderer.render(updates[0].template, updates[0].context)
    assert "Waiting for a reviewer" in text and "number 1 in the queue" in text


def test_no_status_update_is_queued_while_the_last_one_still_waits_to_go_out(
    make_desk: DeskFactory, clock: ManualClock
) -> None:
    desk = make_desk(status_update_hours=6, first_response_hours=48, resolution_hours=96)
    file_appeal(ChatUser(desk))
    deliver_all(desk)
    clock.advance(hours=6, seconds=1)
    assert desk.scheduler.run_once().status_updates == 1

    # the user's platform is away for a day: its update is still pending, so no others pile up behind it
    clock.advance(hours=24)
    assert desk.scheduler.run_once().status_updates == 0
    deliver_all(desk)
    assert desk.scheduler.run_once().status_updates == 0  # the next is due an interval after it arrived
    clock.advance(hours=6, seconds=1)
    assert desk.scheduler.run_once().status_updates == 1


def test_an_overdue_ticket_is_escalated_and_the_user_is_told_honestly(
    make_desk: DeskFactory, clock: ManualClock
) -> None:
    desk = make_desk(destinations=[("slack", "CAGENTS")], first_response_hours=24, status_update_hours=48)
    reference = file_appeal(ChatUser(desk))
    clock.advance(hours=24, minutes=1)
    run = desk.scheduler.run_once()
    assert run.escalations == 1
    view = desk.tickets.show(reference, ALICE)
    assert view["escalation_level"] == 1
    told = [message for message in messages(desk) if message.template == "notify/escalated.j2"]
    assert "is late" in desk.renderer.render(told[0].template, told[0].context)
    assert [alert.template for alert in messages(desk, "agent_alert")] == ["agents/escalated.j2"]
    assert desk.scheduler.run_once().escalations == 0


def test_supervisors_on_chat_channels_get_a_direct_message_and_the_user_is_told_so(
    make_desk: DeskFactory, clock: ManualClock
) -> None:
    desk = make_desk(
        destinations=[("slack", "CAGENTS")],
        telegram_token="123:test",
        slack_bot_token="xoxb-test",
        slack_signing_secret="secret",
        supervisors=["telegram:5001", "slack:ULEAD", "bob"],
        first_response_hours=24,
        status_update_hours=48,
    )
    reference = file_appeal(ChatUser(desk))
    clock.advance(hours=24, minutes=1)
    desk.scheduler.run_once()
    desk.scheduler.run_once()
    alerts = messages(desk, "supervisor_alert")
    assert sorted((alert.channel, alert.chat_id) for alert in alerts) == [("slack", "ULEAD"), ("telegram", "5001")]
    text = desk.renderer.render(alerts[0].template, alerts[0].context)
    assert reference in text and "missed its first-response target" in text and "Nobody has claimed it yet" in text
    [told] = [message for message in messages(desk) if message.template == "notify/escalated.j2"]
    assert "told their supervisor" in desk.renderer.render(told.template, told.context)
    [alert] = messages(desk, "agent_alert")
    assert "and so have the supervisors" in desk.renderer.render(alert.template, alert.context)


def test_without_supervisors_the_user_is_not_promised_one(make_desk: DeskFactory, clock: ManualClock) -> None:
    desk = make_desk(first_response_hours=24, status_update_hours=48)
    user = ChatUser(desk)
    file_appeal(user)
    clock.advance(hours=25)
    desk.scheduler.run_once()
    assert messages(desk, "supervisor_alert") == []
    [told] = [message for message in messages(desk) if message.template == "notify/escalated.j2"]
    text = desk.renderer.render(told.template, told.context)
    assert "marked it as late for the review team." in text and "supervisor" not in text and "team lead" not in text
    user.send("/status")
    assert "It is late. It is marked as late for the review team." in user.text()


def test_missing_the_resolution_target_escalates_again(make_desk: DeskFactory, clock: ManualClock) -> None:
    desk = make_desk(first_response_hours=24, resolution_hours=72, status_update_hours=200)
    reference = file_appeal(ChatUser(desk))
    desk.tickets.claim(reference, ALICE)
    clock.advance(hours=48)
    assert desk.scheduler.run_once().escalations == 0
    clock.advance(hours=25)
    assert desk.scheduler.run_once().escalations == 1
    assert desk.tickets.show(reference, ALICE)["escalation_level"] == 2


def test_a_reopened_ticket_that_is_late_again_is_escalated_again(make_desk: DeskFactory, clock: ManualClock) -> None:
    desk = make_desk(first_response_hours=24, resolution_hours=72, status_update_hours=500)
    reference = file_appeal(ChatUser(desk))
    desk.tickets.claim(reference, ALICE)
    for _ in range(2):
        clock.advance(hours=73)
        assert desk.scheduler.run_once().escalations == 1
        desk.tickets.resolve(
            reference, ALICE, "withdrawn", "user-request", "You asked us to close it.", "Your message."
        )
        desk.tickets.reopen(reference, ALICE)
    told = [message for message in messages(desk) if message.template == "notify/escalated.j2"]
    assert len(told) == 2


def test_tickets_waiting_for_the_user_or_decided_are_not_chased(make_desk: DeskFactory, clock: ManualClock) -> None:
    desk = make_desk(status_update_hours=1)
    reference = file_appeal(ChatUser(desk))
    desk.tickets.request_info(reference, ALICE, "Please send your booking.")
    clock.advance(hours=200)
    run = desk.scheduler.run_once()
    assert (run.status_updates, run.escalations) == (0, 0)


def test_the_periodic_job_runs_once_across_workers(desk: Desk, clock: ManualClock) -> None:
    other = Scheduler(desk.db, desk.settings, clock, desk.tickets, desk.outbox, owner="worker-2")
    assert desk.scheduler.run_once().ran
    assert not other.run_once().ran
    assert desk.scheduler.run_once().ran
    clock.advance(seconds=desk.settings.scheduler_interval_seconds * 3 + 1)
    assert other.run_once().ran


def test_an_abandoned_intake_gets_one_reminder(make_desk: DeskFactory, clock: ManualClock) -> None:
    desk = make_desk(intake_reminder_hours=6)
    user = ChatUser(desk)
    user.send("/appeal")
    user.send("olga_dev")
    clock.advance(hours=6, seconds=1)
    assert desk.scheduler.run_once().reminders == 1
    clock.advance(hours=24)
    assert desk.scheduler.run_once().reminders == 0
    reminder = messages(desk)[-1]
    assert "Your answers are saved" in desk.renderer.render(reminder.template, reminder.context)
    user.send("Temporary hold")
    assert user.templates() == ["intake/steps/notice_date.j2"]


def test_a_user_the_reviewer_waits_for_gets_one_reminder_after_the_status_interval(
    make_desk: DeskFactory, clock: ManualClock
) -> None:
    desk = make_desk(status_update_hours=6)
    reference = file_appeal(ChatUser(desk))
    desk.tickets.request_info(reference, ALICE, "Please send your travel booking.")
    clock.advance(hours=5)
    assert desk.scheduler.run_once().waiting_reminders == 0
    clock.advance(hours=1, seconds=1)
    assert desk.scheduler.run_once().waiting_reminders == 1
    clock.advance(hours=200)
    run = desk.scheduler.run_once()
    assert (run.waiting_reminders, run.status_updates, run.escalations) == (0, 0, 0)
    [reminder] = [message for message in messages(desk) if message.template == "notify/waiting_reminder.j2"]
    text = desk.renderer.render(reminder.template, reminder.context)
    assert "still waiting for your answer" in text and "Please send your travel booking." in text
    assert "Our response clock is paused until you answer" in text


def test_the_clock_is_paused_while_we_wait_and_the_promise_moves_on_by_the_wait(
    make_desk: DeskFactory, clock: ManualClock
) -> None:
    desk = make_desk(first_response_hours=24, resolution_hours=72, status_update_hours=500)
    user = ChatUser(desk)
    reference = file_appeal(user)
    promised = datetime.fromisoformat(desk.tickets.claim(reference, ALICE)["resolution_due"])
    clock.advance(hours=10)
    desk.tickets.request_info(reference, ALICE, "Please send your travel booking.")
    clock.advance(hours=100)  # far past the promise, had the clock run
    assert desk.scheduler.run_once().escalations == 0
    view = desk.tickets.show(reference, ALICE)
    assert view["clock_paused"] and view["waiting_since"] == (promised - timedelta(hours=62)).isoformat()
    user.send("/status")
    assert "Our response clock is paused until you answer" in user.text()
    assert "Once you answer, you will have a decision within 3 days." in user.text()  # 62 hours left

    user.send("Here is the booking: flights on 10 and 19 Nov.")
    moved = promised + timedelta(hours=100)
    assert f"you will have a decision by {format_when(moved)} at the latest" in user.text()
    view = desk.tickets.show(reference, ALICE)
    assert not view["clock_paused"] and view["resolution_due"] == moved.isoformat()
    clock.advance(hours=61)
    assert desk.scheduler.run_once().escalations == 0
    clock.advance(hours=1, seconds=1)
    assert desk.scheduler.run_once().escalations == 1
