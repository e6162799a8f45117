"""The product's HTTP server answers /healthz from the database."""

from __future__ import annotations

from starlette.testclient import TestClient

from bot.core.desk import Desk
from bot.web.app import create_app


def test_healthz_reports_the_database(desk: Desk) -> None:
    response = TestClient(create_app(desk)).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": desk.db.engine.dialect.name}


def test_healthz_fails_when_the_database_is_gone(make_desk: object) -> None:
    from bot.store.db import Database

    desk: Desk = make_desk()  # type: ignore[operator]
    desk.db = Database("postgresql://nobody@127.0.0.1:1/none")
    assert TestClient(create_app(desk)).get("/healthz").status_code == 503
