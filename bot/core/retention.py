"""Data that only grows, kept in check: purged in batches by the scheduler, oldest first.

- processed update ids and the inbox rows of handled or given-up updates (the raw payloads), after
  `retention_update_days`: far longer than any platform redelivers an update;
- delivered outbox rows, after `retention_outbox_days` (rows given up stay for agents to see);
- evidence files, `retention_evidence_days` after their ticket was decided (or after they arrived,
  for files of an intake never sent): the bytes go, the record with its sha256 stays, and the
  ticket's audit trail says which files were purged and when.

Each batch is its own transaction of at most `retention_batch_size` rows, so a purge never holds
locks for long; a run goes on while batches come back full, up to `MAX_BATCHES` of each kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, tuple_
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.evidence import EvidenceStore
from bot.core.tickets.service import TicketService
from bot.store.db import Database
from bot.store.models import Evidence, InboxUpdate, OutboxMessage, ProcessedUpdate, Ticket

MAX_BATCHES = 20


@dataclass
class Purged:
    updates: int = 0
    inbox: int = 0
    outbox: int = 0
    files: int = 0


class Retention:
    def __init__(
        self, db: Database, settings: Settings, clock: Clock, evidence: EvidenceStore, tickets: TicketService
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.evidence = evidence
        self.tickets = tickets

    def purge(self) -> Purged:
        now = self.clock.now()
        purged = Purged()
        updates = self._cutoff(now, self.settings.retention_update_days)
        if updates is not None:
            purged.updates = self._batches(self._updates, updates)
            purged.inbox = self._batches(self._inbox, updates)
        delivered = self._cutoff(now, self.settings.retention_outbox_days)
        if delivered is not None:
            purged.outbox = self._batches(self._outbox, delivered)
        decided = self._cutoff(now, self.settings.retention_evidence_days)
        if decided is not None:
            purged.files = self._batches(self._files, decided)
        return purged

    @staticmethod
    def _cutoff(now: datetime, days: float) -> datetime | None:
        return now - timedelta(days=days) if days > 0 else None

    def _batches(self, batch: Callable[[Session, datetime], int], cutoff: datetime) -> int:
        total = 0
        for _ in range(MAX_BATCHES):
            with self.db.session() as session:
                count = batch(session, cutoff)
            total += count
            if count < self.settings.retention_batch_size:
                break
        return total

    def _updates(self, session: Session, cutoff: datetime) -> int:
        keys = session.exec(
            select(ProcessedUpdate.channel, ProcessedUpdate.update_id)
            .where(ProcessedUpdate.processed_at < cutoff)
            .order_by(col(ProcessedUpdate.processed_at))
            .limit(self.settings.retention_batch_size)
        ).all()
        if keys:
            pair = tuple_(col(ProcessedUpdate.channel), col(ProcessedUpdate.update_id))
            session.execute(delete(ProcessedUpdate).where(pair.in_([tuple(key) for key in keys])))
        return len(keys)

    def _inbox(self, session: Session, cutoff: datetime) -> int:
        done = or_(col(InboxUpdate.handled_at) < cutoff, col(InboxUpdate.failed_at) < cutoff)
        return self._delete_oldest(session, InboxUpdate, done, col(InboxUpdate.id))

    def _outbox(self, session: Session, cutoff: datetime) -> int:
        delivered = (col(OutboxMessage.status) == "sent") & (col(OutboxMessage.sent_at) < cutoff)
        return self._delete_oldest(session, OutboxMessage, delivered, col(OutboxMessage.sent_at))

    def _delete_oldest(
        self, session: Session, model: type[InboxUpdate] | type[OutboxMessage], where: Any, oldest: Any
    ) -> int:
        """Deletes one batch of the rows that match, oldest first, by id."""
        ids = session.exec(
            select(model.id).where(where).order_by(oldest).limit(self.settings.retention_batch_size)
        ).all()
        if ids:
            session.execute(delete(model).where(col(model.id).in_(ids)))
        return len(ids)

    def _files(self, session: Session, cutoff: datetime) -> int:
        """Files of tickets decided before the cutoff, and of intakes never sent that arrived before it."""
        decided = select(Ticket.id).where(Ticket.status == "resolved", col(Ticket.resolved_at) < cutoff)
        rows = session.exec(
            select(Evidence)
            .where(
                col(Evidence.purged_at).is_(None),
                or_(
                    col(Evidence.ticket_id).in_(decided),
                    (col(Evidence.ticket_id).is_(None)) & (col(Evidence.received_at) < cutoff),
                ),
            )
            .order_by(col(Evidence.id))
            .limit(self.settings.retention_batch_size)
        ).all()
        by_ticket: dict[int, list[Evidence]] = {}
        for evidence in rows:
            self.evidence.purge(session, evidence)
            if evidence.ticket_id is not None:
                by_ticket.setdefault(evidence.ticket_id, []).append(evidence)
        for ticket_id, files in by_ticket.items():
            ticket = session.get(Ticket, ticket_id)
            if ticket is not None:
                listed = [{"id": evidence.id, "sha256": evidence.sha256} for evidence in files]
                self.tickets.custody(session, ticket, "evidence_purged", {"files": listed, "reason": "retention"})
        return len(rows)
