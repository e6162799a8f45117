"""The durable notification outbox: at-least-once delivery, once per dedupe key, across workers.

A message counts as sent only after its channel's sender confirms it. Rows are claimed with a
lease (FOR UPDATE SKIP LOCKED on PostgreSQL), so a crashed worker's rows are taken over when the
lease runs out.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.events import Button
from bot.store.db import Database
from bot.store.models import OutboxMessage, TicketCard, User

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 12
BASE_BACKOFF_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 3600.0
LEASE = timedelta(seconds=180)  # longer than a batch takes, even behind a platform's rate limits


@dataclass(frozen=True)
class Outbound:
    """A claimed outbox row, as a sender sees it.

    `kind` is "user" for a message to a freelancer, "ticket_card" for the agents' card of a
    ticket (create or edit in place), "agent_alert" for a message to the agents' chat and
    "supervisor_alert" for a direct message to one supervisor.
    """

    id: int
    channel: str
    chat_id: str
    kind: str
    template: str
    context: dict[str, Any]
    buttons: tuple[tuple[Button, ...], ...]
    ticket_id: int | None
    attempts: int


@dataclass(frozen=True)
class Delivered:
    message_id: str | None = None


@dataclass(frozen=True)
class RetryLater:
    error: str
    retry_after: float | None = None


@dataclass(frozen=True)
class Undeliverable:
    reason: str


DeliveryResult = Delivered | RetryLater | Undeliverable


class Sender(Protocol):
    """One per channel. Raising counts as a transient failure (retried with backoff)."""

    channel: str

    async def send(self, message: Outbound) -> DeliveryResult: ...


def buttons_to_json(rows: tuple[tuple[Button, ...], ...]) -> list[Any]:
    return [
        [
            {
                "label": b.label,
                "payload": b.payload,
                "params": b.params,
                "selected": b.selected,
                "style": b.style,
            }
            for b in row
        ]
        for row in rows
    ]


def buttons_from_json(rows: list[Any]) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(Button(**button) for button in row) for row in rows)


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with jitter, capped."""
    delay: float = min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** max(0, attempts - 1))
    return delay * random.uniform(0.8, 1.2)


@dataclass
class Notification:
    """What the core wants said; `Outbox.enqueue` turns it into a row."""

    dedupe_key: str
    channel: str
    chat_id: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    kind: str = "user"
    user_id: int | None = None
    ticket_id: int | None = None
    buttons: tuple[tuple[Button, ...], ...] = ()


class Outbox:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def enqueue(self, session: Session, note: Notification) -> bool:
        """Adds the message inside the caller's transaction; False if its dedupe key was already used."""
        if session.exec(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == note.dedupe_key)).first():
            return False
        now = self.clock.now()
        row = OutboxMessage(
            dedupe_key=note.dedupe_key,
            channel=note.channel,
            chat_id=note.chat_id,
            kind=note.kind,
            user_id=note.user_id,
            ticket_id=note.ticket_id,
            template=note.template,
            context=note.context,
            buttons=buttons_to_json(note.buttons),
            next_attempt_at=now,
            created_at=now,
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            return False
        return True

    def claim(self, owner: str, channels: list[str], limit: int = 20, chat_id: str | None = None) -> list[Outbound]:
        """Leases to `owner` the oldest pending row of up to `limit` chats, where that row is due.

        A chat's next row is handed out only once every earlier one is settled (sent or given up),
        so each chat gets its messages in order, whichever worker sends them, while different chats
        go out side by side. Earlier rows count even when leased by a transaction not yet
        committed, so two workers can never take two rows of one chat.
        """
        now = self.clock.now()
        earlier = aliased(OutboxMessage)
        blocked = (
            select(earlier.id)
            .where(
                earlier.channel == OutboxMessage.channel,
                earlier.chat_id == OutboxMessage.chat_id,
                earlier.status == "pending",
                col(earlier.id) < col(OutboxMessage.id),
            )
            .exists()
        )
        with self.db.session() as session:
            query = (
                select(OutboxMessage)
                .where(
                    OutboxMessage.status == "pending",
                    col(OutboxMessage.channel).in_(channels),
                    OutboxMessage.next_attempt_at <= now,
                    or_(col(OutboxMessage.lease_until).is_(None), col(OutboxMessage.lease_until) < now),
                    ~blocked,
                )
                .order_by(col(OutboxMessage.id))
                .limit(limit)
                .with_for_update(skip_locked=True, of=OutboxMessage)
            )
            if chat_id is not None:
                query = query.where(OutboxMessage.chat_id == chat_id)
            rows = list(session.exec(query))
            claimed = []
            for row in rows:
                row.lease_owner = owner
                row.lease_until = now + LEASE
                session.add(row)
                claimed.append(
                    Outbound(
                        id=row.id or 0,
                        channel=row.channel,
                        chat_id=row.chat_id,
                        kind=row.kind,
                        template=row.template,
                        context=dict(row.context),
                        buttons=buttons_from_json(row.buttons),
                        ticket_id=row.ticket_id,
                        attempts=row.attempts,
                    )
                )
        return claimed

    def complete(self, message_id: int, owner: str, result: DeliveryResult) -> str | None:
        """Records what the sender said (only the lease holder may); returns the row's new status."""
        now = self.clock.now()
        with self.db.session() as session:
            row = session.get(OutboxMessage, message_id)
            if row is None or row.lease_owner != owner or row.status != "pending":
                return None
            row.attempts += 1
            row.lease_owner = None
            row.lease_until = None
            if isinstance(result, Delivered):
                row.status = "sent"
                row.sent_at = now
                row.platform_message_id = result.message_id
            elif isinstance(result, Undeliverable) or row.attempts >= MAX_ATTEMPTS:
                row.status = "undeliverable"
                row.last_error = result.reason if isinstance(result, Undeliverable) else result.error
                log.warning(
                    "outbox row %s to %s %s is undeliverable: %s", row.id, row.channel, row.chat_id, row.last_error
                )
                self._mark_user_undeliverable(session, row, now)
            else:
                row.last_error = result.error
                delay = result.retry_after if result.retry_after is not None else backoff_seconds(row.attempts)
                row.next_attempt_at = now + timedelta(seconds=delay)
            session.add(row)
            return row.status

    def _mark_user_undeliverable(self, session: Session, row: OutboxMessage, now: datetime) -> None:
        if row.kind != "user" or row.user_id is None:
            return
        user = session.get(User, row.user_id)
        if user is not None and user.undeliverable_at is None:
            user.undeliverable_at = now
            session.add(user)


class CardRegistry:
    """Where each ticket's agents' card lives on each channel, so senders can edit it in place."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, ticket_id: int, channel: str) -> TicketCard | None:
        with self.db.session() as session:
            return session.get(TicketCard, (ticket_id, channel))

    def save(self, ticket_id: int, channel: str, chat_id: str, message_id: str) -> None:
        with self.db.session() as session:
            card = session.get(TicketCard, (ticket_id, channel))
            if card is None:
                card = TicketCard(ticket_id=ticket_id, channel=channel, chat_id=chat_id, message_id=message_id)
            else:
                card.chat_id, card.message_id = chat_id, message_id
            session.add(card)

    def find(self, channel: str, chat_id: str, message_id: str) -> int | None:
        """The ticket whose card is this message, if any."""
        with self.db.session() as session:
            card = session.exec(
                select(TicketCard).where(
                    TicketCard.channel == channel,
                    TicketCard.chat_id == chat_id,
                    TicketCard.message_id == message_id,
                )
            ).first()
            return card.ticket_id if card else None
