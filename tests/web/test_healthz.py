"""The product's HTTP server answers /healthz from the database."""

from __future__ import annotations

import httpx

from bot.desk import Desk
from bot.store.db import Database
from bot.web.app import create_app
from tests.conftest import DeskFactory


async def get_healthz(desk: Desk) -> httpx.Response:
    transport = httpx.ASGITransport(app=create_app(desk))
    async with httpx.AsyncClient(transport=transport, base_url="http://appealdesk") as client:
        return await client.get("/healthz")


async def test_healthz_reports_the_database(desk: Desk) -> None:
    response = await get_healthz(desk)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": desk.db.engine.dialect.name}


async def test_healthz_fails_when_the_database_is_gone(make_desk: DeskFactory) -> None:
    desk = make_desk()
    desk.db = Database("postgresql://nobody@127.0.0.1:1/none")
    response = await get_healthz(desk)
    assert response.status_code == 503
    assert response.json()["status"] == "error"
