"""/healthz (the process answers and reaches its database) and /readyz (it should get traffic).

A load balancer restarts what fails /healthz and sends nothing to what fails /readyz: a process
whose channels have not started, whose database is behind the code's migrations, or whose outbox
has stopped moving. Each reason is in the JSON body; the checks report, they never raise.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.core.gauges import outbox_backlog
from bot.desk import Desk
from bot.store import migrate


@dataclass
class ChannelsStarted:
    """Which channels this process runs and which have started; `appealdesk run` fills it in. In a
    worker-only process (`role` worker) a channel has started once its sending side has."""

    expected: list[str] = field(default_factory=list)
    started: set[str] = field(default_factory=set)
    role: str = "all"

    @property
    def waiting_for(self) -> list[str]:
        return [name for name in self.expected if name not in self.started]


def health_routes(desk: Desk, channels: ChannelsStarted) -> list[Route]:
    def ping() -> None:
        with desk.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    async def healthz(_request: Request) -> JSONResponse:
        try:
            await asyncio.to_thread(ping)  # never block the event loop the channels share
        except Exception as error:  # the health check reports, it never raises
            return JSONResponse({"status": "error", "database": str(error)[:200]}, status_code=503)
        return JSONResponse({"status": "ok", "database": desk.db.engine.dialect.name})

    async def readyz(_request: Request) -> JSONResponse:
        checks = await asyncio.to_thread(readiness, desk, channels)
        ready = all(check["ok"] for check in checks.values())
        body = {"status": "ready" if ready else "not ready", "checks": checks}
        return JSONResponse(body, status_code=200 if ready else 503)

    return [Route("/healthz", healthz), Route("/readyz", readyz)]


Check = dict[str, object]


def readiness(desk: Desk, channels: ChannelsStarted) -> dict[str, Check]:
    """Each check with `ok` and what it found; after a database failure the checks that need it say so."""
    checks: dict[str, Check] = {}
    waiting = channels.waiting_for
    checks["channels"] = {
        "ok": not waiting,
        "role": channels.role,
        "sending_only": channels.role == "worker",
        "started": sorted(channels.started),
        "waiting_for": waiting,
    }
    try:
        revision = migrate.current(desk.db.engine)
    except Exception as error:
        reason = f"unreachable: {str(error)[:200]}"
        checks["database"] = {"ok": False, "reason": reason}
        checks["migrations"] = checks["outbox"] = {"ok": False, "reason": "database unreachable"}
        return checks
    checks["database"] = {"ok": True, "dialect": desk.db.engine.dialect.name}
    head = migrate.head()
    checks["migrations"] = {"ok": revision == head, "database": revision, "code": head}
    checks["outbox"] = _outbox(desk)
    return checks


def _outbox(desk: Desk) -> Check:
    """Stuck: a row has been due for longer than the threshold and no worker has sent it."""
    now = desk.clock.now()
    limit = desk.settings.ready_outbox_stuck_seconds
    try:
        with desk.db.session() as session:
            backlog = outbox_backlog(session, now)
    except Exception as error:
        return {"ok": False, "reason": f"unreadable: {str(error)[:200]}"}
    waited = round(backlog.waited_seconds(now), 1)
    return {
        "ok": waited <= limit,
        "pending": sum(backlog.pending.values()),
        "oldest_due_seconds": waited,
        "limit_seconds": limit,
    }
