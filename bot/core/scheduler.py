"""The response promise, kept on a schedule: status updates, escalations, and reminders for an
unfinished intake and for an answer the reviewer is waiting for.

The periodic job runs once across all workers: whoever holds the `scheduler` lease runs it, and
then purges what is past retention (core/retention.py).
Every message it queues has a dedupe key, so even an overlapping run sends nothing twice.
Each job selects only what is due, in SQL, and handles it in batches of short transactions.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, exists, or_, select

from bot.config import Settings
from bot.core import telemetry
from bot.core.clock import Clock
from bot.core.modes import Mode
from bot.core.outbox import Notification, Outbox
from bot.core.retention import Purged, Retention
from bot.core.sla import hours_left
from bot.core.tickets.actors import SYSTEM
from bot.core.tickets.service import TicketService
from bot.core.tickets.views import iso
from bot.store.db import Database
from bot.store.models import Conversation, JobLease, OutboxMessage, Ticket, User

log = logging.getLogger(__name__)
ACTIVE = ("new", "in_review")
STATUS_UPDATE = "notify/status_update.j2"


@dataclass
class SchedulerRun:
    ran: bool
    status_updates: int = 0
    escalations: int = 0
    reminders: int = 0
    waiting_reminders: int = 0
    touched: int = 0  # rows the run read and locked: what was due, not what is open
    purged: Purged | None = None


@dataclass
class Batched:
    handled: int = 0
    touched: int = 0


Due = TypeVar("Due", Ticket, Conversation)


class Scheduler:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        clock: Clock,
        tickets: TicketService,
        outbox: Outbox,
        owner: str,
        retention: Retention | None = None,
    ) -> None:
        self.retention = retention
        self.db = db
        self.settings = settings
        self.clock = clock
        self.tickets = tickets
        self.outbox = outbox
        self.owner = owner

    def run_once(self) -> SchedulerRun:
        if not self.acquire("scheduler", timedelta(seconds=max(30.0, self.settings.scheduler_interval_seconds * 3))):
            telemetry.SCHEDULER_RUNS.labels("skipped").inc()
            return SchedulerRun(ran=False)
        escalated, updated, reminded, waiting = (
            self._escalate(),
            self._heartbeat(),
            self._remind(),
            self._remind_waiting(),
        )
        run = SchedulerRun(
            ran=True,
            status_updates=updated.handled,
            escalations=escalated.handled,
            reminders=reminded.handled,
            waiting_reminders=waiting.handled,
            touched=escalated.touched + updated.touched + reminded.touched + waiting.touched,
        )
        if self.retention is not None:
            run.purged = self.retention.purge()
        telemetry.SCHEDULER_RUNS.labels("ran").inc()
        return run

    async def run(self, stop: asyncio.Event) -> None:
        """Runs the job every `scheduler_interval_seconds` until `stop` is set; a failed run is logged."""
        while not stop.is_set():
            try:
                await asyncio.to_thread(self.run_once)
            except Exception:
                telemetry.SCHEDULER_RUNS.labels("failed").inc()
                log.exception("scheduler run failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.settings.scheduler_interval_seconds)

    def acquire(self, name: str, duration: timedelta) -> bool:
        """Takes or renews a lease; False while another worker holds it."""
        now = self.clock.now()
        try:
            with self.db.session() as session:
                lease = session.exec(select(JobLease).where(JobLease.name == name).with_for_update()).first()
                if lease is None:
                    session.add(JobLease(name=name, owner=self.owner, until=now + duration))
                    return True
                if lease.owner != self.owner and lease.until > now:
                    return False
                lease.owner, lease.until = self.owner, now + duration
                session.add(lease)
                return True
        except IntegrityError:
            return False

    def _batches(self, model: type[Due], where: list[Any], handle: Callable[[Session, Due], bool]) -> Batched:
        """Handles the rows that match, by id, one transaction of at most `scheduler_batch_size` each.

        Only due rows are read, so a run costs what is due, not what is open. On PostgreSQL a row another
        transaction holds is skipped (`SKIP LOCKED`) and picked up by the next run.
        """
        size = self.settings.scheduler_batch_size
        done = Batched()
        after = 0
        while True:
            with self.db.session() as session:
                query = select(model).where(*where, col(model.id) > after).order_by(col(model.id)).limit(size)
                rows = session.exec(query.with_for_update(skip_locked=True)).all()
                done.handled += sum(handle(session, row) for row in rows)
            done.touched += len(rows)
            if len(rows) < size:
                return done
            after = rows[-1].id or after

    def _escalate(self) -> Batched:
        """An overdue ticket is marked; agents and supervisors are alerted, and the user is told honestly.

        Due: past the resolution target below level 2, or past the first-response target, unanswered,
        below level 1. A ticket waiting for the user is not active, so its paused clock is not chased.
        The dedupe key names the target that was missed, so a reopened ticket that is late again is
        escalated again, while an overlapping run sends nothing twice.
        """
        now = self.clock.now()
        late = or_(
            (col(Ticket.resolution_due) < now) & (col(Ticket.escalation_level) < 2),
            (col(Ticket.first_response_due) < now)
            & col(Ticket.first_response_at).is_(None)
            & (col(Ticket.escalation_level) < 1),
        )

        def escalate(session: Session, ticket: Ticket) -> bool:
            level = 2 if now > ticket.resolution_due else 1
            ticket.escalation_level = level
            ticket.escalated_at = now
            missed = "first_response" if level == 1 else "resolution"
            due = ticket.first_response_due if level == 1 else ticket.resolution_due
            self.tickets.record(session, ticket, SYSTEM, "escalated", data={"level": level, "missed": missed})
            telemetry.PROMISE_BREACHES.labels(missed).inc()
            key = f"escalation:{ticket.id}:{level}:{due.isoformat()}"
            told = self.tickets.alert_supervisors(session, ticket, key, "agents/supervisor_escalated.j2", missed=missed)
            context = {"missed": missed, "supervisors": told}
            self.tickets.alert_agents(session, ticket, key, "agents/escalated.j2", context)
            self.tickets.tell_user(session, ticket, f"{key}:user", "notify/escalated.j2", context)
            return True

        return self._batches(Ticket, [col(Ticket.status).in_(ACTIVE), late], escalate)

    def _heartbeat(self) -> Batched:
        """An open ticket with no user-visible update for the interval gets one now.

        Not while its last one still waits to go out (the user's platform is slow or away), nor for an
        interval after that one reached the user: when the platform is back, the user reads one
        update, not one for every interval it was away.
        """
        cutoff = self.clock.now() - self.settings.status_update_interval
        waiting = exists().where(
            col(OutboxMessage.ticket_id) == col(Ticket.id),
            col(OutboxMessage.template) == STATUS_UPDATE,
            or_(col(OutboxMessage.status) == "pending", col(OutboxMessage.sent_at) > cutoff),
        )

        def update(session: Session, ticket: Ticket) -> bool:
            key = f"heartbeat:{ticket.id}:{ticket.last_user_update_at.isoformat()}"
            self.tickets.tell_user(session, ticket, key, STATUS_UPDATE)
            return True

        due = [col(Ticket.status).in_(ACTIVE), Ticket.last_user_update_at <= cutoff, ~waiting]
        return self._batches(Ticket, due, update)

    def _remind_waiting(self) -> Batched:
        """One reminder, after the status-update interval, for a user the reviewer is waiting for."""
        now = self.clock.now()
        where = [
            Ticket.status == "awaiting_user",
            col(Ticket.waiting_since).is_not(None),
            col(Ticket.waiting_reminded_at).is_(None),
            Ticket.last_user_update_at <= now - self.settings.status_update_interval,
        ]

        def remind(session: Session, ticket: Ticket) -> bool:
            ticket.waiting_reminded_at = now
            key = f"waiting:{ticket.id}:{iso(ticket.waiting_since)}"
            context = {"question": ticket.pending_question, "hours_left": hours_left(ticket)}
            self.tickets.tell_user(session, ticket, key, "notify/waiting_reminder.j2", context)
            return True

        return self._batches(Ticket, where, remind)

    def _remind(self) -> Batched:
        """One reminder for an intake left half-way."""
        cutoff = self.clock.now() - self.settings.intake_reminder_after
        where = [
            Conversation.mode == Mode.INTAKE,
            Conversation.updated_at <= cutoff,
            col(Conversation.reminded_at).is_(None),
        ]

        def remind(session: Session, conversation: Conversation) -> bool:
            user = session.get(User, conversation.user_id)
            if user is None:
                return False
            started = conversation.started_at.isoformat() if conversation.started_at else "unknown"
            self.outbox.enqueue(
                session,
                Notification(
                    dedupe_key=f"reminder:{conversation.id}:{started}",
                    channel=user.channel,
                    chat_id=user.chat_id,
                    template="notify/intake_reminder.j2",
                    context={"step": conversation.step},
                    user_id=user.id,
                ),
            )
            conversation.reminded_at = self.clock.now()
            session.add(conversation)
            return True

        return self._batches(Conversation, where, remind)
