"""The response promise, kept on a schedule: status updates, escalations, and reminders for an
unfinished intake and for an answer the reviewer is waiting for.

The periodic job runs once across all workers: whoever holds the `scheduler` lease runs it, and
then purges what is past retention (core/retention.py).
Every message it queues has a dedupe key, so even an overlapping run sends nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

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
from bot.store.models import Conversation, JobLease, Ticket, User

log = logging.getLogger(__name__)
ACTIVE = ("new", "in_review")


@dataclass
class SchedulerRun:
    ran: bool
    status_updates: int = 0
    escalations: int = 0
    reminders: int = 0
    waiting_reminders: int = 0
    purged: Purged | None = None


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
        run = SchedulerRun(ran=True)
        with self.db.session() as session:
            run.escalations = self._escalate(session)
            run.status_updates = self._heartbeat(session)
            run.reminders = self._remind(session)
            run.waiting_reminders = self._remind_waiting(session)
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

    def _escalate(self, session: Session) -> int:
        """An overdue ticket is marked; agents and supervisors are alerted, and the user is told honestly.

        The dedupe key names the target that was missed, so a reopened ticket that is late again is
        escalated again, while an overlapping run sends nothing twice.
        """
        now = self.clock.now()
        count = 0
        for ticket in session.exec(select(Ticket).where(col(Ticket.status).in_(ACTIVE)).with_for_update()):
            level = 0
            if ticket.first_response_at is None and now > ticket.first_response_due:
                level = 1
            if now > ticket.resolution_due:
                level = 2
            if level <= ticket.escalation_level:
                continue
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
            count += 1
        return count

    def _heartbeat(self, session: Session) -> int:
        """An open ticket with no user-visible update for the interval gets one now."""
        cutoff = self.clock.now() - self.settings.status_update_interval
        count = 0
        query = select(Ticket).where(col(Ticket.status).in_(ACTIVE), Ticket.last_user_update_at <= cutoff)
        for ticket in session.exec(query.with_for_update()):
            key = f"heartbeat:{ticket.id}:{ticket.last_user_update_at.isoformat()}"
            self.tickets.tell_user(session, ticket, key, "notify/status_update.j2")
            count += 1
        return count

    def _remind_waiting(self, session: Session) -> int:
        """One reminder, after the status-update interval, for a user the reviewer is waiting for."""
        now = self.clock.now()
        count = 0
        query = select(Ticket).where(
            Ticket.status == "awaiting_user",
            col(Ticket.waiting_since).is_not(None),
            col(Ticket.waiting_reminded_at).is_(None),
            Ticket.last_user_update_at <= now - self.settings.status_update_interval,
        )
        for ticket in session.exec(query.with_for_update()):
            ticket.waiting_reminded_at = now
            key = f"waiting:{ticket.id}:{iso(ticket.waiting_since)}"
            context = {"question": ticket.pending_question, "hours_left": hours_left(ticket)}
            self.tickets.tell_user(session, ticket, key, "notify/waiting_reminder.j2", context)
            count += 1
        return count

    def _remind(self, session: Session) -> int:
        """One reminder for an intake left half-way."""
        cutoff = self.clock.now() - self.settings.intake_reminder_after
        count = 0
        query = select(Conversation).where(
            Conversation.mode == Mode.INTAKE, Conversation.updated_at <= cutoff, col(Conversation.reminded_at).is_(None)
        )
        for conversation in session.exec(query.with_for_update()):
            user = session.get(User, conversation.user_id)
            if user is None:
                continue
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
            count += 1
        return count
