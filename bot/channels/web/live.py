"""Wakes a chat's open event streams when a message is stored for it in this process.

Streams also look at the transcript every poll interval, for what another process delivered.
"""

from __future__ import annotations

import asyncio
import contextlib


class Bell:
    def __init__(self) -> None:
        self._waiting: dict[str, asyncio.Event] = {}

    def listen(self, chat_id: str) -> asyncio.Event:
        """The event the next ring for this chat sets; taken before looking, so no ring is missed."""
        return self._waiting.setdefault(chat_id, asyncio.Event())

    def ring(self, chat_id: str) -> None:
        event = self._waiting.pop(chat_id, None)
        if event is not None:
            event.set()


async def wait(event: asyncio.Event, timeout: float) -> None:
    """Until the bell rings or the timeout passes, whichever is first."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout)
