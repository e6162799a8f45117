"""Live console pages: a server-sent event each time the tickets a page shows have changed.

The queue listens to every ticket, a ticket page to its own. Each stream asks the core for the newest
change once per poll interval (core/tickets/changes.py: one indexed query, no event bus between
processes) and says `changed` with who did what when the id moved; the page's script then fetches
the changed part of itself again (static/console-live.js). A stream ends after a few minutes and the
browser reconnects at once with Last-Event-ID, so nothing is missed and no proxy idle timeout cuts it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.core.accounts import Role
from bot.core.tickets.lifecycle import Refused
from bot.web.console.auth import SignedIn, requires
from bot.web.console.pages import desk_of, refusal_text

STREAM_SECONDS = 300.0
RECONNECT_MILLISECONDS = 1000
PING_SECONDS = 15



@dataclass(frozen=True)
class Timing:
    """How often a stream asks (the outbox's poll interval, as the web chat does) and how long it lasts."""

    poll_seconds: float
    stream_seconds: float = STREAM_SECONDS


Latest = Callable[[], Awaitable[dict[str, Any] | None]]


async def changes(latest: Latest, seen: int, poll_seconds: float, stream_seconds: float) -> AsyncIterator[ServerSentEvent]:
    """A `changed` event for each new newest change after `seen`, until the stream's time is up."""
    loop = asyncio.get_running_loop()
    ends = loop.time() + stream_seconds
    yield ServerSentEvent(comment="watching", retry=RECONNECT_MILLISECONDS)
    while (left := ends - loop.time()) > 0:
        change = await latest()
        if change is not None and change["id"] > seen:
            seen = change["id"]
            yield ServerSentEvent(json.dumps(change), event="changed", id=str(seen))
        await asyncio.sleep(min(poll_seconds, left))


def _seen(request: Request) -> int:
    """The change the page was rendered after, or on a reconnect the last one the browser was told of."""
    for value in (request.headers.get("last-event-id"), request.query_params.get("after")):
        if value and value.isdigit():
            return int(value)
    return 0


def _stream(request: Request, reference: str | None) -> Response:
    desk = desk_of(request)
    user: SignedIn = request.user

    async def latest() -> dict[str, Any] | None:
        change: dict[str, Any] | None = await run_in_threadpool(desk.tickets.latest_change, user.actor, reference)
        return change

    timing = request.app.state.live
    events = changes(latest, _seen(request), timing.poll_seconds, timing.stream_seconds)
    return EventSourceResponse(events, ping=PING_SECONDS, headers={"Cache-Control": "no-store"})


@requires(Role.AGENT)
async def queue_changes(request: Request) -> Response:
    return _stream(request, None)


@requires(Role.AGENT)
async def ticket_changes(request: Request) -> Response:
    reference = request.path_params["reference"]
    user: SignedIn = request.user
    try:
        await run_in_threadpool(desk_of(request).tickets.latest_change, user.actor, reference)
    except Refused as refused:
        raise HTTPException(404, refusal_text(request, refused)) from refused
    return _stream(request, reference)


ROUTES = [
    Route("/live/queue", queue_changes, name="live_queue"),
    Route("/live/tickets/{reference:str}", ticket_changes, name="live_ticket"),
]
