"""Delivery workers: claim due outbox rows, hand them to the channel's sender, record the result."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping

from bot.core.outbox import Outbound, Outbox, RetryLater, Sender, Undeliverable

log = logging.getLogger(__name__)


class DeliveryWorker:
    def __init__(
        self,
        outbox: Outbox,
        senders: Mapping[str, Sender],
        owner: str,
        on_undeliverable: Callable[[Outbound, str], None] | None = None,
        chat_id: str | None = None,
    ) -> None:
        self.outbox = outbox
        self.senders = dict(senders)
        self.owner = owner
        self.on_undeliverable = on_undeliverable
        self.chat_id = chat_id

    async def run_once(self, limit: int = 10) -> int:
        """Delivers what is due now; returns how many rows were attempted."""
        claimed = await asyncio.to_thread(self.outbox.claim, self.owner, list(self.senders), limit, self.chat_id)
        for message in claimed:
            sender = self.senders[message.channel]
            try:
                result = await sender.send(message)
            except Exception as error:  # a sender's failure must never stop delivery of the rest
                log.warning("delivery of outbox row %s failed: %s", message.id, error)
                result = RetryLater(f"{type(error).__name__}: {error}")
            status = await asyncio.to_thread(self.outbox.complete, message.id, self.owner, result)
            if status == "undeliverable" and self.on_undeliverable is not None:
                reason = result.reason if isinstance(result, Undeliverable) else getattr(result, "error", "")
                await asyncio.to_thread(self.on_undeliverable, message, reason)
        return len(claimed)

    async def run(self, stop: asyncio.Event, poll_seconds: float) -> None:
        while not stop.is_set():
            try:
                busy = await self.run_once()
            except Exception:
                log.exception("delivery loop error")
                busy = 0
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=poll_seconds)
