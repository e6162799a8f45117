"""The durable notification outbox: at-least-once delivery, once per dedupe key, across workers.

A message counts as sent only after its channel's sender confirms it. Rows are claimed with a
short lease (FOR UPDATE SKIP LOCKED on PostgreSQL) that the worker renews while it sends, so a
crashed worker's rows are taken over seconds later, and a slow send is never taken from a live one.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import event, insert, or_, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.core.bell import NOTIFY_CHANNEL
from bot.core.clock import Clock
from bot.core.events import Button, Reply
from bot.store.db import Database, again_if_disconnected
from bot.store.models import OutboxMessage, TicketCard, User

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 12
BASE_BACKOFF_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 3600.0
# One row's send, renewed by its worker's heartbeat while it lasts: a dead worker's row is free again within seconds.
LEASE = timedelta(seconds=15)
# A turn's replies, sent by the channel straight after the turn: if it dies first, workers take over after this.
SEND_NOW_LEASE = timedelta(seconds=15)
REPLY_KIND = "reply"
USER_KINDS = ("user", REPLY_KIND)  # what a freelancer reads: their own data, unredacted
PartsLog = Callable[[int], Awaitable[None]]
_RINGING = "outbox_rings_after_commit"


@dataclass(frozen=True)
class Outbound:
    """A claimed outbox row, as a sender sees it.

    `kind` is "user" for a notification to a freelancer, "reply" for the answer to their message,
    "ticket_card" for the agents' card of a ticket (create or edit in place), "agent_alert" for a
    message to the agents' chat and "supervisor_alert" for a direct message to one supervisor.
    A reply with `edit_message_id` is the new state of that message; one with `reply_to` answers
    that message, and is shown as a reply to it where the channel can.

    A message longer than the platform takes goes out in parts: the sender skips the first
    `parts_sent` (out in an earlier attempt) and reports each further part with `parts_out`, so a
    retry after a 429 on part 2 never sends part 1 again. `as_plain_text` is the one retry of a
    message the platform refused for our own output: plain text, no buttons.
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
    edit_message_id: str | None = None
    expects: str | None = None
    parts_sent: int = 0
    as_plain_text: bool = False
    reply_to: str | None = None
    parts_log: PartsLog | None = field(default=None, compare=False, repr=False)

    @property
    def for_user(self) -> bool:
        return self.kind in USER_KINDS

    async def parts_out(self, count: int) -> None:
        """Records that the first `count` parts are out (the delivery worker keeps it durably)."""
        if self.parts_log is not None:
            await self.parts_log(count)

    def reply(self) -> Reply:
        """The message as the core said it, with its edit-in-place intent."""
        return Reply(
            self.template, self.context, self.buttons, self.expects, replaces_buttons=self.edit_message_id is not None
        )


@dataclass(frozen=True)
class Delivered:
    message_id: str | None = None


@dataclass(frozen=True)
class RetryLater:
    error: str
    retry_after: float | None = None


@dataclass(frozen=True)
class Undeliverable:
    """The recipient is gone (blocked the bot, deactivated, chat deleted): not retried."""

    reason: str


@dataclass(frozen=True)
class Rejected:
    """The platform refused our own output (bad markup, invalid button data, too long): a product error.

    The recipient is not to blame. The message is retried once as plain text without buttons.
    """

    error: str


DeliveryResult = Delivered | RetryLater | Undeliverable | Rejected


class Sender(Protocol):
    """One per channel. Raising counts as a transient failure (retried with backoff)."""

    channel: str

    async def send(self, message: Outbound) -> DeliveryResult: ...


async def edited_in_place(
    message_id: str | None, pages: int, edit: Callable[[str], Awaitable[object]], refused: Callable[[Exception], bool]
) -> bool:
    """Shows a reply as the new state of the message whose button was pressed, by editing that message.

    Only a reply that fits in one message is edited, and if the platform will not edit it (too old,
    deleted; `refused` says which errors mean that), it is sent anew: False means "send it instead".
    """
    if message_id is None or pages != 1:
        return False
    try:
        await edit(message_id)
    except Exception as error:
        if not refused(error):
            raise
        log.info("could not edit message %s in place (%s); sending it anew", message_id, error)
        return False
    return True


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


def backoff_seconds(failures: int) -> float:
    """Exponential backoff with jitter, capped, by the failures that came with no retry-after."""
    delay: float = min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** max(0, failures - 1))
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
    edit_message_id: str | None = None
    reply_to: str | None = None
    expects: str | None = None

    def values(self, now: datetime) -> dict[str, Any]:
        """The new row's columns, due now."""
        return {
            "dedupe_key": self.dedupe_key,
            "channel": self.channel,
            "chat_id": self.chat_id,
            "kind": self.kind,
            "user_id": self.user_id,
            "ticket_id": self.ticket_id,
            "template": self.template,
            "context": self.context,
            "buttons": buttons_to_json(self.buttons),
            "edit_message_id": self.edit_message_id,
            "reply_to": self.reply_to,
            "expects": self.expects,
            "status": "pending",
            "attempts": 0,
            "failures": 0,
            "parts_sent": 0,
            "as_plain_text": False,
            "next_attempt_at": now,
            "lease_owner": None,
            "lease_until": None,
            "created_at": now,
        }

    def outbound(self, message_id: int) -> Outbound:
        return Outbound(
            message_id,
            self.channel,
            self.chat_id,
            self.kind,
            self.template,
            self.context,
            self.buttons,
            self.ticket_id,
            0,
            self.edit_message_id,
            self.expects,
            reply_to=self.reply_to,
        )


def outbound(row: OutboxMessage) -> Outbound:
    return Outbound(
        id=row.id or 0,
        channel=row.channel,
        chat_id=row.chat_id,
        kind=row.kind,
        template=row.template,
        context=dict(row.context),
        buttons=buttons_from_json(row.buttons),
        ticket_id=row.ticket_id,
        attempts=row.attempts,
        edit_message_id=row.edit_message_id,
        expects=row.expects,
        parts_sent=row.parts_sent,
        as_plain_text=row.as_plain_text,
        reply_to=row.reply_to,
    )


class Outbox:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self.bells: list[Callable[[], None]] = []

    def _ring_after_commit(self, session: Session) -> None:
        """Wakes the delivery workers once this transaction commits: this process's through `bells`,
        every other process's by a NOTIFY, which PostgreSQL sends at the commit. Once per transaction."""
        if session.info.get(_RINGING):
            return
        session.info[_RINGING] = True
        if self.db.is_postgres:
            session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})
        event.listen(session, "after_commit", self._ring, once=True)

    def _ring(self, session: Session) -> None:
        session.info.pop(_RINGING, None)
        for ring in self.bells:
            ring()

    def enqueue(self, session: Session, note: Notification) -> bool:
        """Adds the message inside the caller's transaction; False if its dedupe key was already used."""
        if session.exec(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == note.dedupe_key)).first():
            return False
        now = self.clock.now()
        try:
            with session.begin_nested():
                session.add(OutboxMessage(**note.values(now)))
        except IntegrityError:
            return False
        self._ring_after_commit(session)
        return True

    def add_all(self, session: Session, notes: Sequence[Notification], lease_to: str | None = None) -> list[Outbound]:
        """Adds fresh messages (their keys are new by construction) in the caller's transaction.

        With `lease_to`, they are leased to that sender for `SEND_NOW_LEASE` and returned, so it can
        send them right after the commit without claiming them. To keep each chat's order, earlier
        due rows of the chat come along, and a chat with an earlier row leased elsewhere or waiting
        for a retry is left to the workers (nothing is returned for it). One insert for all rows,
        as this is on the way to every reply.
        """
        now = self.clock.now()
        table = OutboxMessage.__table__  # type: ignore[attr-defined]
        chats = dict.fromkeys((note.channel, note.chat_id) for note in notes)
        earlier = {chat: self._pending_in(session, *chat) for chat in chats} if lease_to else {}
        free = {chat for chat, rows in earlier.items() if not any(self._busy(row, now) for row in rows)}
        values = [note.values(now) for note in notes]
        for note, columns in zip(notes, values, strict=True):
            if (note.channel, note.chat_id) in free:
                columns.update(lease_owner=lease_to, lease_until=now + SEND_NOW_LEASE)
        ids = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), values).scalars().all()
        taken = [row for chat in free for row in earlier[chat]]
        for row in taken:
            row.lease_owner, row.lease_until = lease_to, now + SEND_NOW_LEASE
            session.add(row)
        mine = [
            note.outbound(id_) for note, id_ in zip(notes, ids, strict=True) if (note.channel, note.chat_id) in free
        ]
        if len(mine) < len(notes):  # some are left to the workers
            self._ring_after_commit(session)
        return [outbound(row) for row in taken] + mine

    @staticmethod
    def _pending_in(session: Session, channel: str, chat_id: str) -> list[OutboxMessage]:
        query = (
            select(OutboxMessage)
            .where(
                OutboxMessage.status == "pending", OutboxMessage.channel == channel, OutboxMessage.chat_id == chat_id
            )
            .order_by(OutboxMessage.id)  # type: ignore[arg-type]
            .with_for_update()
        )
        return list(session.exec(query))

    @staticmethod
    def _busy(row: OutboxMessage, now: datetime) -> bool:
        """Leased by someone, or waiting for a retry: later rows of its chat must wait for it."""
        return row.next_attempt_at > now or (row.lease_until is not None and row.lease_until > now)

    @again_if_disconnected
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
            for row in rows:
                row.lease_owner = owner
                row.lease_until = now + LEASE
                session.add(row)
            return [outbound(row) for row in rows]

    @again_if_disconnected
    def release(self, owner: str, ids: Sequence[int]) -> None:
        """Hands leased rows back unsent, not counted as an attempt; `claim` gives them out again once
        the earlier row of their chat that could not be sent is settled."""
        with self.db.session() as session:
            for row in session.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(list(ids)))):
                if row.lease_owner == owner and row.status == "pending":
                    row.lease_owner = None
                    row.lease_until = None
                    session.add(row)

    @again_if_disconnected
    def renew(self, owner: str, message_ids: list[int]) -> int:
        """Extends `owner`'s leases on these rows (the ones it still holds); returns how many."""
        until = self.clock.now() + LEASE
        with self.db.session() as session:
            rows = session.exec(
                select(OutboxMessage).where(
                    col(OutboxMessage.id).in_(message_ids),
                    OutboxMessage.lease_owner == owner,
                    OutboxMessage.status == "pending",
                )
            ).all()
            for row in rows:
                row.lease_until = until
                session.add(row)
            return len(rows)

    @again_if_disconnected
    def record_parts(self, message_id: int, owner: str, parts_sent: int) -> None:
        """Keeps how many parts of a message in parts are out (only the lease holder may)."""
        with self.db.session() as session:
            row = session.get(OutboxMessage, message_id)
            if row is not None and row.lease_owner == owner and row.status == "pending":
                row.parts_sent = parts_sent
                session.add(row)

    @again_if_disconnected
    def complete(self, message_id: int, owner: str, result: DeliveryResult) -> str | None:
        """Records what the sender said (only the lease holder may); returns the row's new status.

        A first refusal of our own output keeps the lease: the row is due again at once, as plain
        text, and the worker that holds it retries it straight away.
        """
        now = self.clock.now()
        if isinstance(result, Delivered):
            return self._delivered(message_id, owner, result, now)
        with self.db.session() as session:
            row = session.get(OutboxMessage, message_id)
            if row is None or row.lease_owner != owner or row.status != "pending":
                return None
            row.attempts += 1
            if isinstance(result, Rejected):
                self._rejected(row, result, now)
                session.add(row)
                return row.status
            row.lease_owner = None
            row.lease_until = None
            if isinstance(result, Undeliverable):
                row.status = "undeliverable"
                row.last_error = result.reason
                log.warning(
                    "outbox row %s to %s %s is undeliverable: %s", row.id, row.channel, row.chat_id, row.last_error
                )
                self._mark_user_undeliverable(session, row, now)
            elif row.attempts >= MAX_ATTEMPTS:
                # The platform kept failing, the user did not leave: given up, but the user stays reachable.
                row.status = "failed"
                row.last_error = f"gave up after {row.attempts} attempts: {result.error}"
                log.warning("outbox row %s to %s %s is given up: %s", row.id, row.channel, row.chat_id, row.last_error)
            else:
                row.last_error = result.error
                if result.retry_after is None:  # a 429 says when; only the other failures lengthen the backoff
                    row.failures += 1
                    delay = backoff_seconds(row.failures)
                else:
                    delay = result.retry_after
                row.next_attempt_at = now + timedelta(seconds=delay)
            session.add(row)
            return row.status

    def _delivered(self, message_id: int, owner: str, result: Delivered, now: datetime) -> str | None:
        """The common case, after every send: one guarded UPDATE, with no read of the row before it."""
        with self.db.session() as session:
            sent = session.execute(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.id) == message_id,
                    col(OutboxMessage.lease_owner) == owner,
                    col(OutboxMessage.status) == "pending",
                )
                .values(
                    status="sent",
                    sent_at=now,
                    platform_message_id=result.message_id,
                    attempts=col(OutboxMessage.attempts) + 1,
                    lease_owner=None,
                    lease_until=None,
                )
                .returning(col(OutboxMessage.id))
            ).first()
        return "sent" if sent is not None else None

    @staticmethod
    def _rejected(row: OutboxMessage, result: Rejected, now: datetime) -> None:
        """Our output was refused: once more as plain text from the start (nothing is lost), then given up.

        The log names the row and the platform's error code only, never the text or who it was for.
        """
        row.last_error = result.error
        if row.as_plain_text:
            row.status = "rejected"
            row.lease_owner = row.lease_until = None
            log.error(
                "product error: %s refused outbox row %s (%s) even as plain text (%s); it is given up",
                row.channel,
                row.id,
                row.kind,
                result.error,
            )
            return
        row.as_plain_text = True
        row.parts_sent = 0
        row.next_attempt_at = now
        log.error(
            "product error: %s refused outbox row %s (%s) for our own output (%s); retrying it as plain text",
            row.channel,
            row.id,
            row.kind,
            result.error,
        )

    def _mark_user_undeliverable(self, session: Session, row: OutboxMessage, now: datetime) -> None:
        if row.kind not in USER_KINDS or row.user_id is None:
            return
        user = session.get(User, row.user_id)
        if user is not None and user.undeliverable_at is None:
            user.undeliverable_at = now
            session.add(user)


class CardRegistry:
    """Where each ticket's agents' card lives on each channel, so senders can edit it in place.

    A ticket's first card is claimed before it is posted: the row's key is unique, so of two
    workers posting it at the same moment one posts and the other waits to edit. A claim whose
    worker died before posting runs out after `LEASE` and is taken over.
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def get(self, ticket_id: int, channel: str) -> TicketCard | None:
        """The posted card (a claimed one not yet posted is not there to edit)."""
        with self.db.session() as session:
            card = session.get(TicketCard, (ticket_id, channel))
            return card if card is not None and card.message_id is not None else None

    def claim(self, ticket_id: int, channel: str, chat_id: str) -> bool:
        """Takes the posting of the ticket's first card; False if another worker has taken it, or it is out."""
        now = self.clock.now()
        try:
            with self.db.session() as session:
                session.add(
                    TicketCard(ticket_id=ticket_id, channel=channel, chat_id=chat_id, claimed_until=now + LEASE)
                )
            return True
        except IntegrityError:
            pass
        with self.db.session() as session:
            lapsed = session.execute(
                update(TicketCard)
                .where(
                    col(TicketCard.ticket_id) == ticket_id,
                    col(TicketCard.channel) == channel,
                    col(TicketCard.message_id).is_(None),
                    col(TicketCard.claimed_until) < now,
                )
                .values(chat_id=chat_id, claimed_until=now + LEASE)
            )
            return bool(lapsed.rowcount)  # type: ignore[attr-defined]

    def release(self, ticket_id: int, channel: str) -> None:
        """Gives up a claim whose post failed, so the row's retry (or another) can post the card."""
        with self.db.session() as session:
            card = session.get(TicketCard, (ticket_id, channel))
            if card is not None and card.message_id is None:
                session.delete(card)

    def save(self, ticket_id: int, channel: str, chat_id: str, message_id: str) -> None:
        with self.db.session() as session:
            card = session.get(TicketCard, (ticket_id, channel))
            if card is None:
                card = TicketCard(ticket_id=ticket_id, channel=channel, chat_id=chat_id, message_id=message_id)
            else:
                card.chat_id, card.message_id, card.claimed_until = chat_id, message_id, None
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
