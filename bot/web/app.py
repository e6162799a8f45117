"""The ASGI application. Channels add their routes; the core stays unaware of HTTP."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount

from bot.desk import Desk
from bot.web.api.app import PREFIX as API
from bot.web.api.app import api_app
from bot.web.api.errors import http_error
from bot.web.console.app import PREFIX, console_app
from bot.web.health import ChannelsStarted, health_routes
from bot.web.metrics import metrics_route


async def not_found(request: Request, exc: Exception) -> Response:
    """A path under the API that its mount cannot take (a newline in it, say) still answers in the API's shape."""
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith(API):
        return await http_error(request, exc)
    return PlainTextResponse(exc.detail, status_code=exc.status_code, headers=exc.headers)


def create_app(
    desk: Desk, extra_routes: Sequence[BaseRoute] = (), channels: ChannelsStarted | None = None
) -> Starlette:
    """/metrics is here unless it has an address of its own (`APPEALDESK_METRICS_ADDRESS`)."""
    own = [*health_routes(desk, channels or ChannelsStarted())]
    if desk.settings.metrics_listen is None:
        own.append(metrics_route(desk))
    app = Starlette(
        routes=[*own, Mount(API, app=api_app(desk)), Mount(PREFIX, app=console_app(desk)), *extra_routes],
        exception_handlers={404: not_found},
    )
    app.state.desk = desk
    return app


def health_app(desk: Desk, channels: ChannelsStarted) -> Starlette:
    """A worker-only process's HTTP side: /healthz, /readyz and /metrics, for its orchestrator and scraper."""
    routes = [*health_routes(desk, channels)]
    if desk.settings.metrics_listen is None:
        routes.append(metrics_route(desk))
    app = Starlette(routes=routes)
    app.state.desk = desk
    return app
