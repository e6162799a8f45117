"""The console as one ASGI application, mounted at /console/ by the HTTP server.

Outside in: CSRF (asgi-csrf, a signed double-submit cookie checked on every POST, the sign-in
included), the signed session cookie, who is signed in, then the routes, each of which names the
role it needs (`auth.requires`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from asgi_csrf import asgi_csrf
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.desk import Desk
from bot.web.console import api_keys, files, kb, live, metrics, queue, sign_in, ticket, users
from bot.web.console.auth import SessionAccounts
from bot.web.console.pages import console_templates, render
from bot.web.secret import secret_key

PREFIX = "/console"
STATIC = Path(__file__).resolve().parent.parent / "static"
SESSION_HOURS = 12


def routes() -> list[BaseRoute]:
    return [
        *sign_in.ROUTES,
        *queue.ROUTES,
        *ticket.ROUTES,
        *files.ROUTES,
        *live.ROUTES,
        *users.ROUTES,
        *api_keys.ROUTES,
        *kb.ROUTES,
        *metrics.ROUTES,
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


async def http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    return render(request, "error.html", {"status": error.status_code, "detail": error.detail}, error.status_code)


def console_app(desk: Desk) -> ASGIApp:
    settings = desk.settings
    key = secret_key(settings)
    app = Starlette(
        routes=routes(),
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=key,
                session_cookie="appealdesk_console",
                max_age=SESSION_HOURS * 3600,
                path=PREFIX,
                same_site="lax",
                https_only=settings.secure_cookies,
            ),
            Middleware(AuthenticationMiddleware, backend=SessionAccounts(desk.accounts)),
        ],
        exception_handlers={HTTPException: http_error},
    )
    app.state.desk = desk
    app.state.live = live.Timing(settings.outbox_poll_seconds)
    app.state.templates = templates = console_templates(settings.templates_dir)

    async def csrf_refused(scope: Scope, send: Send, _reason: Any) -> None:
        """A form without the token of this browser's CSRF cookie is not applied; the page says why."""
        page = templates.get_template("csrf.html").render(me=None)
        response = Response(page, status_code=403, media_type="text/html")
        await response(scope, _nothing, send)

    protected = asgi_csrf(
        app,
        signing_secret=key,
        cookie_name="appealdesk_csrf",
        cookie_path=PREFIX,
        cookie_secure=settings.secure_cookies,
        always_protect={f"{PREFIX}/login"},
        send_csrf_failed=csrf_refused,
    )

    async def console(scope: Scope, receive: Receive, send: Send) -> None:
        """The pages' `url_for` names the console's own routes, under the console's own root (/console)."""
        own = {key: value for key, value in scope.items() if key != "router"}
        own["app_root_path"] = scope.get("root_path", "")
        await protected(own, receive, send)

    return console


async def _nothing() -> dict[str, Any]:
    """What the refusal page reads of the request: nothing (asgi-csrf has consumed the body)."""
    return {"type": "http.disconnect"}
