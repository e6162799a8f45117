"""The queue: open tickets, the most urgent first (by the time they are due)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.core.accounts import Role
from bot.core.tickets.queue import queue_row
from bot.web.console.auth import SignedIn, requires
from bot.web.console.pages import desk_of, render


@requires(Role.AGENT)
async def queue(request: Request) -> Response:
    desk = desk_of(request)
    user: SignedIn = request.user
    views = await run_in_threadpool(desk.tickets.list, user.actor, "open", False, desk.hidden("console"))
    now = desk.clock.now()
    rows = sorted((queue_row(view, now) for view in views), key=lambda row: row["response_due"])
    return render(request, "queue.html", {"tickets": rows})


ROUTES = [Route("/", queue, name="queue")]
