"""Slow work after ack(): Slack wants an answer within 3 s, the core and the Web API may take longer.

Work for one key (a Slack user) runs in arrival order, so two quick messages are never handled
out of order; `drain()` lets shutdown (and tests) wait for what is in flight. A key's lock lives only
while work for that key is queued or running (a weak-value map: the waiting tasks hold it), so the
map does not grow with every user the app has ever heard from.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class Background:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def spawn(self, key: str, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(self._run(key, work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, key: str, work: Coroutine[Any, Any, None]) -> None:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            try:
                await work
            except Exception:  # one failed update must not take the app down
                log.exception("Slack background work for %s failed", key)

    @property
    def keys_in_flight(self) -> int:
        """How many keys have work queued or running: the size of the lock map."""
        return len(self._locks)

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
