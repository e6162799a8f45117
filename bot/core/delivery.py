"""Delivery workers: claim due outbox rows, hand them to the channel's sender, record the result.

Each chat is a lane of its own: the outbox only hands out the oldest pending row of a chat, and the
worker sends the heads of many chats at once. A chat that waits (a group behind its rate limit, a
429, a slow API) holds up nobody but itself, and one chat's messages still arrive in order. While
rows are being sent, a heartbeat renews their short leases.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import partial

from bot.core import log_context, telemetry
from bot.core.outbox import LEASE, Outbound, Outbox, Rejected, RetryLater, Sender, Undeliverable

log = logging.getLogger(__name__)

CONCURRENT_CHATS = 32
HEARTBEAT_SECONDS = LEASE.total_seconds() / 3  # two renewals may fail before a live send loses its row


class DeliveryWorker:
    def __init__(
        self,
        outbox: Outbox,
        senders: Mapping[str, Sender],
        owner: str,
        on_undeliverable: Callable[[Outbound, str], None] | None = None,
        chat_id: str | None = None,
        concurrency: int = CONCURRENT_CHATS,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
        wake: asyncio.Event | None = None,
    ) -> None:
        """`wake`, set by the outbox bell, has the worker look at once instead of at the next poll."""
        self.outbox = outbox
        self.senders = dict(senders)
        self.owner = owner
        self.on_undeliverable = on_undeliverable
        self.chat_id = chat_id
        self.concurrency = concurrency
        self.heartbeat_seconds = heartbeat_seconds
        self.wake = wake or asyncio.Event()

    async def run_once(self) -> int:
        """Delivers everything due now, each chat up to its first failure; returns how many rows were attempted."""
        return await self._deliver(asyncio.Event(), poll_seconds=None)

    async def run(self, stop: asyncio.Event, poll_seconds: float) -> None:
        """Delivers until `stop` is set, looking for new rows every `poll_seconds` and after every send."""
        await self._deliver(stop, poll_seconds)

    async def _deliver(self, stop: asyncio.Event, poll_seconds: float | None) -> int:
        """Keeps up to `concurrency` chats sending; `poll_seconds=None` returns once nothing is due or in flight."""
        in_flight: dict[asyncio.Task[str | None], int] = {}
        finished = asyncio.Event()
        attempted = 0
        heartbeat = asyncio.create_task(self._keep_leases(in_flight))

        def done(task: asyncio.Task[str | None]) -> None:
            in_flight.pop(task, None)
            finished.set()

        try:
            while not stop.is_set():
                finished.clear()
                self.wake.clear()
                claimed = await self._claim(self.concurrency - len(in_flight))
                for message in claimed:
                    task = asyncio.create_task(self._attempt(message))
                    in_flight[task] = message.id
                    task.add_done_callback(done)
                attempted += len(claimed)
                if poll_seconds is None and not in_flight and not finished.is_set():
                    break  # (a send that finished during the claim may have freed its chat's next row)
                # a finished send may have freed its chat's next row; new rows ring the bell, or show at the next poll
                await _first_of((stop, finished, self.wake), poll_seconds)
        finally:
            if in_flight:
                await asyncio.gather(*in_flight, return_exceptions=True)
            heartbeat.cancel()
        return attempted

    async def _keep_leases(self, in_flight: Mapping[asyncio.Task[str | None], int]) -> None:
        """Renews the leases of the rows being sent, for as long as their sends take."""
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            if not in_flight:
                continue
            try:
                await asyncio.to_thread(self.outbox.renew, self.owner, list(in_flight.values()))
            except Exception:  # the next beat tries again; the lease outlasts two missed ones
                log.exception("renewing outbox leases failed")

    async def _claim(self, room: int) -> list[Outbound]:
        if room <= 0:
            return []
        try:
            return await asyncio.to_thread(self.outbox.claim, self.owner, list(self.senders), room, self.chat_id)
        except Exception:  # the database may be briefly away; the next poll tries again
            log.exception("claiming outbox rows failed")
            return []

    async def deliver(self, claimed: Sequence[Outbound]) -> int:
        """Sends rows already leased to this worker (a turn's replies), in order; returns how many were sent.

        Once one of a chat's rows is not sent, the chat's later rows are handed back to wait
        behind it, so the user never reads them out of order; the workers take it from there.
        """
        stuck: set[str] = set()
        sent = 0
        for index, message in enumerate(claimed):
            if message.chat_id in stuck:
                continue
            if await self._attempt(message) == "sent":
                sent += 1
                continue
            stuck.add(message.chat_id)
            later = [other.id for other in claimed[index + 1 :] if other.chat_id == message.chat_id]
            if later:
                await asyncio.to_thread(self.outbox.release, self.owner, later)
        return sent

    async def _attempt(self, message: Outbound) -> str | None:
        """Sends one row and records the result; returns the row's new status (None if not recorded).

        A row refused for our own output is sent again at once as plain text: it is still leased here.
        """
        with log_context.bound(outbox_id=message.id, ticket=_reference(message)):
            status = await self._send(message)
        telemetry.DELIVERIES.labels(message.channel, _result(status)).inc()
        return status

    async def _send(self, message: Outbound) -> str | None:
        sender = self.senders[message.channel]
        try:
            result = await sender.send(replace(message, parts_log=partial(self._parts_out, message.id)))
        except Exception as error:  # a sender's failure must never stop delivery of the rest
            # the log names the error's type only: its text may quote what was sent; the row keeps it whole
            log.warning("delivery of outbox row %s failed: %s", message.id, type(error).__name__)
            result = RetryLater(f"{type(error).__name__}: {error}")
        try:
            status = await asyncio.to_thread(self.outbox.complete, message.id, self.owner, result)
            if status in ("undeliverable", "failed") and self.on_undeliverable is not None:
                reason = result.reason if isinstance(result, Undeliverable) else getattr(result, "error", "")
                await asyncio.to_thread(self.on_undeliverable, message, reason)
        except Exception:  # the lease runs out and another attempt records it
            log.exception("recording the delivery of outbox row %s failed", message.id)
            return None
        if isinstance(result, Rejected) and status == "pending" and not message.as_plain_text:
            return await self._attempt(replace(message, as_plain_text=True, parts_sent=0))
        return status

    async def _parts_out(self, message_id: int, count: int) -> None:
        """Keeps a long message's progress, so a retry sends only the parts not yet out."""
        try:
            await asyncio.to_thread(self.outbox.record_parts, message_id, self.owner, count)
        except Exception:  # at worst a retry sends a part twice
            log.exception("recording the parts sent of outbox row %s failed", message_id)


def _reference(message: Outbound) -> str | None:
    """The ticket a row is about, as its rendering context names it (a notice, a card, an alert)."""
    ticket = message.context.get("ticket")
    found = ticket.get("reference") if isinstance(ticket, dict) else message.context.get("reference")
    return str(found) if found else None


def _result(status: str | None) -> str:
    """A delivery attempt's label: the row's new status, `retry` while it stays pending, `lost` when the
    lease ran out before the result could be recorded."""
    if status is None:
        return "lost"
    return "retry" if status == "pending" else status


async def _first_of(events: Sequence[asyncio.Event], timeout: float | None) -> None:
    """Waits until one of the events is set, or the timeout passes."""
    waiters = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
