"""The outbox bell: delivery workers wake as soon as a message is queued, instead of at the next poll.

A message queued in this process (an agent's action in the console, a scheduler run) rings once its
transaction commits. On PostgreSQL the queuing transaction also sends a NOTIFY, so the workers of
every other process (another `appealdesk run`, the command line's actions) wake too. Polling stays as
the fallback: a lost notification, or a listener that is reconnecting, costs at most one poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import psycopg
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "appealdesk_outbox"
RECONNECT_SECONDS = 2.0
LISTEN_TIMEOUT_SECONDS = 1.0  # how soon a listener notices that it is asked to stop


class OutboxBell:
    def __init__(self) -> None:
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
        self.listening = asyncio.Event()  # set while PostgreSQL's notifications reach us

    def subscribe(self) -> asyncio.Event:
        """An event that is set whenever the bell rings; its worker clears it before each look."""
        event = asyncio.Event()
        self._waiters.append((asyncio.get_running_loop(), event))
        return event

    def ring(self) -> None:
        """Wakes every subscribed worker; safe from any thread (transactions commit in worker threads)."""
        for loop, event in self._waiters:
            if not loop.is_closed():
                loop.call_soon_threadsafe(event.set)

    async def listen(self, database_url: str, stop: asyncio.Event) -> None:
        """Rings on every NOTIFY from PostgreSQL until `stop` is set, reconnecting after a failure."""
        url = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
        while not stop.is_set():
            try:
                async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
                    await connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self.listening.set()
                    self.ring()  # what was queued while we were not listening
                    while not stop.is_set():
                        async for _ in connection.notifies(timeout=LISTEN_TIMEOUT_SECONDS):
                            self.ring()
            except (psycopg.Error, OSError) as error:
                self.listening.clear()
                log.warning("listening for queued messages failed (%s); polling until it is back", error)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=RECONNECT_SECONDS)
