"""The API's Starlette application, mounted at /api/v1 by the product's app."""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.authentication import SimpleUser
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.core.platform.audit import ApiAudit
from bot.desk import Desk
from bot.web.api.auth import BearerKeys, unauthorized
from bot.web.api.errors import ApiRefusal, http_error, refused
from bot.web.api.openapi import document
from bot.web.api.operations import IDEMPOTENCY_HEADER, operations

PREFIX = "/api/v1"


class AuditCalls:
    """Keeps every call with the name of the key that made it and the status it got, refusals too."""

    def __init__(self, app: ASGIApp, audit: ApiAudit) -> None:
        self.app = app
        self.audit = audit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # unless a response starts, the call failed

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            request = Request(scope)
            user = scope.get("user")
            await asyncio.to_thread(
                self.audit.record,
                user.username if isinstance(user, SimpleUser) else None,
                request.method,
                request.url.path,
                status,
                request.headers.get(IDEMPOTENCY_HEADER),
            )


def api_app(desk: Desk) -> Starlette:
    listed = operations(desk)
    spec = document(listed, PREFIX)

    async def openapi(_request: Request) -> JSONResponse:
        return JSONResponse(spec)

    routes = [Route("/openapi.json", openapi), *(Route(op.path, op.endpoint, methods=[op.method]) for op in listed)]
    return Starlette(
        routes=routes,
        middleware=[
            Middleware(AuditCalls, audit=desk.api_audit),
            Middleware(AuthenticationMiddleware, backend=BearerKeys(desk.api_keys), on_error=unauthorized),
        ],
        exception_handlers={HTTPException: http_error, ApiRefusal: refused},
    )
