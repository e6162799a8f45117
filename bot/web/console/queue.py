"""The queue: open tickets, the first due at the top, with filters, search and pages (rules in core/tickets/browse.py).

Supervisors also have the escalated list: the same queue, kept to the tickets the scheduler escalated
because a response target was missed.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.core.accounts import Role
from bot.core.tickets.browse import HOLDERS, KINDS, PAGE_SIZES, QueueQuery, channels, query_params
from bot.core.tickets.queue import LIST_FILTERS, queue_row
from bot.web.console.auth import SignedIn, requires
from bot.web.console.pages import desk_of, render


@requires(Role.AGENT)
async def queue(request: Request) -> Response:
    return await _listing(request, QueueQuery.from_params(dict(request.query_params)), "queue")


@requires(Role.SUPERVISOR)
async def escalated(request: Request) -> Response:
    query = replace(QueueQuery.from_params(dict(request.query_params)), escalated=True)
    return await _listing(request, query, "escalated")


async def _listing(request: Request, query: QueueQuery, here: str) -> Response:
    """One page of tickets; `here` names the route, so the filters and the page links stay on it."""
    desk = desk_of(request)
    user: SignedIn = request.user
    views, page = await run_in_threadpool(desk.tickets.browse, user.actor, query, desk.hidden("console"))
    latest = await run_in_threadpool(desk.tickets.latest_change, user.actor)

    def known_channels() -> list[str]:
        with desk.db.session() as session:
            return channels(session)

    now = desk.clock.now()
    context = {
        "tickets": [queue_row(view, now) for view in views],
        "page": page,
        "query": query,
        "statuses": LIST_FILTERS,
        "kinds": KINDS,
        "holders": HOLDERS,
        "sizes": PAGE_SIZES,
        "channels": await run_in_threadpool(known_channels),
        "link": lambda **changes: "?" + urlencode(query_params(query, **changes)),
        "here": here,
        "after": latest["id"] if latest else 0,  # the live stream tells of changes after this one
    }
    return render(request, "queue.html", context)


ROUTES = [Route("/", queue, name="queue"), Route("/escalated", escalated, name="escalated")]
