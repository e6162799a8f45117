"""/healthz says the process answers and reaches its database; /readyz whether it should get traffic, and why not."""

from __future__ import annotations

import httpx

from bot.core.clock import ManualClock
from bot.core.outbox import Notification
from bot.desk import Desk
from bot.store import migrate
from bot.store.db import Database
from bot.web.app import create_app
from bot.web.health import ChannelsStarted
from tests.conftest import DeskFactory


async def get(desk: Desk, path: str, channels: ChannelsStarted | None = None) -> httpx.Response:
    transport = httpx.ASGITransport(app=create_app(desk, channels=channels))
    async with httpx.AsyncClient(transport=transport, base_url="http://appealdesk") as client:
        return await client.get(path)


def started(*names: str) -> ChannelsStarted:
    return ChannelsStarted(expected=list(names), started=set(names))


async def test_healthz_reports_the_database(desk: Desk) -> None:
    response = await get(desk, "/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": desk.db.engine.dialect.name}


async def test_healthz_fails_when_the_database_is_gone(make_desk: DeskFactory) -> None:
    desk = make_desk()
    desk.db = Database("postgresql://nobody@127.0.0.1:1/none")
    response = await get(desk, "/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


async def test_a_started_desk_with_a_moving_outbox_is_ready(desk: Desk) -> None:
    response = await get(desk, "/readyz", started("telegram", "web"))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["channels"] == {
        "ok": True,
        "role": "all",
        "sending_only": False,
        "started": ["telegram", "web"],
        "waiting_for": [],
    }
    assert body["checks"]["migrations"]["database"] == migrate.head()
    assert body["checks"]["outbox"]["pending"] == 0


async def test_not_ready_until_every_channel_has_started(desk: Desk) -> None:
    response = await get(desk, "/readyz", ChannelsStarted(expected=["telegram", "web"], started={"web"}))
    assert response.status_code == 503
    assert response.json()["checks"]["channels"] == {
        "ok": False,
        "role": "all",
        "sending_only": False,
        "started": ["web"],
        "waiting_for": ["telegram"],
    }


async def test_not_ready_while_the_database_is_behind_the_code(desk: Desk) -> None:
    migrate.downgrade(desk.db.engine, "-1")
    response = await get(desk, "/readyz", started("web"))
    assert response.status_code == 503
    migrations = response.json()["checks"]["migrations"]
    assert migrations["ok"] is False and migrations["code"] == migrate.head() != migrations["database"]


async def test_not_ready_once_a_due_message_waits_longer_than_the_threshold(
    make_desk: DeskFactory, clock: ManualClock
) -> None:
    desk = make_desk(ready_outbox_stuck_seconds=120)
    with desk.db.session() as session:
        desk.outbox.enqueue(session, Notification("k1", "terminal", "chat-1", "notify/intake_reminder.j2"))
    clock.advance(seconds=100)
    assert (await get(desk, "/readyz", started("web"))).status_code == 200

    clock.advance(seconds=30)
    response = await get(desk, "/readyz", started("web"))
    assert response.status_code == 503
    assert response.json()["checks"]["outbox"] == {
        "ok": False,
        "pending": 1,
        "oldest_due_seconds": 130.0,
        "limit_seconds": 120.0,
    }


async def test_not_ready_with_every_reason_when_the_database_is_gone(make_desk: DeskFactory) -> None:
    desk = make_desk()
    desk.db = Database("postgresql://nobody@127.0.0.1:1/none")
    response = await get(desk, "/readyz", started("web"))
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] is False and checks["database"]["reason"].startswith("unreachable")
    assert checks["migrations"] == checks["outbox"] == {"ok": False, "reason": "database unreachable"}
    assert checks["channels"]["ok"] is True
