"""The ASGI application. Channels add their routes; the core stays unaware of HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route

from bot.desk import Desk
from bot.web.api.app import PREFIX as API
from bot.web.api.app import api_app
from bot.web.console.app import PREFIX, console_app


def create_app(desk: Desk, extra_routes: Sequence[BaseRoute] = ()) -> Starlette:
    def ping() -> None:
        with desk.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    async def healthz(_request: Request) -> JSONResponse:
        try:
            await asyncio.to_thread(ping)  # never block the event loop the channels share
        except Exception as error:  # the health check reports, it never raises
            return JSONResponse({"status": "error", "database": str(error)[:200]}, status_code=503)
        return JSONResponse({"status": "ok", "database": desk.db.engine.dialect.name})

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Mount(API, app=api_app(desk)),
            Mount(PREFIX, app=console_app(desk)),
            *extra_routes,
        ]
    )
    app.state.desk = desk
    return app
