"""/metrics in Prometheus's text format: this process's counters and, read at scrape time, the database's gauges.

Who may scrape: with `APPEALDESK_METRICS_TOKEN`, whoever sends it as a bearer token; with
`APPEALDESK_METRICS_ADDRESS`, whoever reaches that address (the main server then has no /metrics);
with neither, only a client on this machine.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.core import telemetry
from bot.core.gauges import open_tickets, outbox_backlog, overdue_tickets
from bot.desk import Desk

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
LEVELS = {1: "first_response", 2: "resolution"}


class DatabaseCollector(Collector):
    """The desk's state as the shared database holds it: the same figures from every process."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def describe(self) -> Iterable[Metric]:
        return []  # collected at scrape time only, never at registration

    def collect(self) -> Iterator[Metric]:
        now = self.desk.clock.now()
        with self.desk.db.session() as session:
            backlog = outbox_backlog(session, now)
            tickets = open_tickets(session)
            overdue = overdue_tickets(session)
        depth = GaugeMetricFamily(
            "appealdesk_outbox_pending", "Outbox rows not yet delivered, by channel.", labels=["channel"]
        )
        for channel, count in sorted(backlog.pending.items()):
            depth.add_metric([channel], count)
        yield depth
        yield GaugeMetricFamily(
            "appealdesk_outbox_oldest_due_seconds",
            "How long the longest-waiting due outbox row has been due (0 when none is).",
            value=backlog.waited_seconds(now),
        )
        open_family = GaugeMetricFamily(
            "appealdesk_open_tickets", "Tickets not yet resolved.", labels=["kind", "status"]
        )
        for (kind, status), count in sorted(tickets.items()):
            open_family.add_metric([kind, status], count)
        yield open_family
        late = GaugeMetricFamily(
            "appealdesk_open_tickets_overdue", "Open tickets that missed a response target.", labels=["missed"]
        )
        for level, count in sorted(overdue.items()):
            late.add_metric([LEVELS.get(level, str(level))], count)
        yield late


class _Process(Collector):
    """This process's own counters (core/telemetry.py), in the scrape's registry."""

    def collect(self) -> Iterator[Metric]:
        yield from telemetry.PROCESS.collect()

    def describe(self) -> Iterable[Metric]:
        return []


def registry_for(desk: Desk) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Process())
    registry.register(DatabaseCollector(desk))
    return registry


def metrics_route(desk: Desk, own_address: bool = False) -> Route:
    """On its own address (`own_address`), reaching it is the permission unless a token is set too."""
    registry = registry_for(desk)
    secret = desk.settings.metrics_token
    token = secret.get_secret_value() if secret is not None else None

    async def metrics(request: Request) -> Response:
        if not _allowed(request, token, own_address):
            return PlainTextResponse("Forbidden\n", status_code=403, headers={"WWW-Authenticate": "Bearer"})
        body = await run_in_threadpool(generate_latest, registry)  # the gauges query the database
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return Route("/metrics", metrics)


def _allowed(request: Request, token: str | None, own_address: bool) -> bool:
    if token is not None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode())
    return own_address or (request.client is not None and request.client.host in LOOPBACK)


def metrics_app(desk: Desk) -> Starlette:
    """The application on APPEALDESK_METRICS_ADDRESS: /metrics only."""
    return Starlette(routes=[metrics_route(desk, own_address=True)])
