"""Wakes a chat's open event streams when a message is stored for it in this process.

A ring may come from another thread (a delivery worker on a loop of its own), so it reaches each
waiting stream through its own event loop. Streams also look at the transcript every poll interval,
for what another process delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading


class Bell:
    def __init__(self) -> None:
        self._waiting: dict[str, tuple[asyncio.Event, asyncio.AbstractEventLoop]] = {}
        self._lock = threading.Lock()

    def listen(self, chat_id: str) -> asyncio.Event:
        """The event the next ring for this chat sets; taken before looking, so no ring is missed."""
        loop = asyncio.get_running_loop()
        with self._lock:
            event, waiting_on = self._waiting.get(chat_id, (None, None))
            if event is None or waiting_on is not loop:
                event = asyncio.Event()
                self._waiting[chat_id] = (event, loop)
            return event

    def ring(self, chat_id: str) -> None:
        with self._lock:
            event, loop = self._waiting.pop(chat_id, (None, None))
        if event is not None and loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(event.set)


async def wait(event: asyncio.Event, timeout: float) -> None:
    """Until the bell rings or the timeout passes, whichever is first."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout)
