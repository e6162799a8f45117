"""The API's operations: each one's route, its models, and what it answers, in one list.

The routes and the OpenAPI document are both built from this list, so the document describes
exactly what the endpoints validate and answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlmodel import Session
from starlette.authentication import requires
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.core.intake.parsing import Invalid
from bot.core.platform.actions import AccountActionRecord, AccountActionRequest
from bot.core.platform.idempotency import MAX_KEY_CHARS, KeyReused, fingerprint
from bot.core.platform.links import IssuedCode, LinkCodeRequest
from bot.core.platform.tickets import PlatformTicket, PlatformTicketList
from bot.desk import Desk
from bot.web.api.auth import SCOPE
from bot.web.api.body import read_json
from bot.web.api.errors import ApiRefusal, FieldProblem, invalid

IDEMPOTENCY_HEADER = "Idempotency-Key"
Endpoint = Callable[[Request], Awaitable[Response]]
# Makes what a validated write asks for, in the write's transaction, under the API key's name.
Created = Callable[[Session, str, BaseModel], BaseModel]


class TicketQuery(BaseModel):
    """The query of `GET /tickets`."""

    model_config = ConfigDict(extra="forbid")

    account: str = Field(min_length=1, max_length=256, description="The account: username, profile link or e-mail.")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    endpoint: Endpoint
    response: type[BaseModel]
    status: int = 200
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    path_parameters: Sequence[str] = ()
    errors: dict[int, str] = field(default_factory=dict)
    idempotent: bool = False


def idempotency_key(request: Request) -> str | None:
    value = request.headers.get(IDEMPOTENCY_HEADER)
    if value is None:
        return None
    if not 1 <= len(value) <= MAX_KEY_CHARS or not value.isascii() or not value.isprintable():
        problem = FieldProblem(
            location=["header", IDEMPOTENCY_HEADER], message=f"1 to {MAX_KEY_CHARS} printable ASCII characters"
        )
        raise ApiRefusal(422, "invalid", "The Idempotency-Key header cannot be used.", [problem])
    return value


def caller(request: Request) -> str:
    name: str = request.user.username
    return name


WRITE_ERRORS = {
    400: "The body is not JSON.",
    413: "The body is too large.",
    415: "The body is not JSON.",
    422: "A field, or the Idempotency-Key, cannot be used.",
}


def operations(desk: Desk) -> list[Operation]:
    limit = desk.settings.api_max_body_bytes

    async def write_once(request: Request, parse: Callable[[Any], BaseModel], created: Created) -> Response:
        """Reads, validates and makes a write once per Idempotency-Key: a repeat answers as the first did."""
        key = idempotency_key(request)
        data = await read_json(request, limit)
        try:
            asked_for = await asyncio.to_thread(parse, data)
        except ValidationError as error:
            raise invalid(error, "body") from error
        name = caller(request)

        def write(session: Session) -> tuple[int, dict[str, Any]]:
            return 201, created(session, name, asked_for).model_dump(mode="json")

        asked = fingerprint(request.method, request.url.path, asked_for.model_dump(mode="json"))
        try:
            result = await asyncio.to_thread(desk.idempotency.once, name, key, asked, write)
        except KeyReused as reused:
            raise ApiRefusal(
                422,
                "idempotency_key_reused",
                "This Idempotency-Key was sent before with another request. Use a new key for a new request.",
            ) from reused
        headers = {"Idempotent-Replayed": "true"} if result.repeated else None
        return JSONResponse(result.body, status_code=result.status, headers=headers)

    @requires(SCOPE, status_code=401)
    async def record_account_action(request: Request) -> Response:
        return await write_once(
            request,
            desk.account_actions.parse,
            lambda session, name, action: desk.account_actions.record(
                session, name, cast(AccountActionRequest, action)
            ),
        )

    @requires(SCOPE, status_code=401)
    async def issue_link_code(request: Request) -> Response:
        return await write_once(
            request,
            LinkCodeRequest.model_validate,
            lambda session, name, asked: desk.link_codes.issue(session, name, cast(LinkCodeRequest, asked)),
        )

    @requires(SCOPE, status_code=401)
    async def ticket(request: Request) -> Response:
        found = await asyncio.to_thread(desk.platform_tickets.one, request.path_params["reference"])
        if found is None:
            raise ApiRefusal(404, "not_found", "No ticket has this reference.")
        return JSONResponse(found.model_dump(mode="json"))

    @requires(SCOPE, status_code=401)
    async def tickets(request: Request) -> Response:
        try:
            query = TicketQuery.model_validate(dict(request.query_params))
            listed = await asyncio.to_thread(desk.platform_tickets.of_account, query.account)
        except ValidationError as error:
            raise invalid(error, "query") from error
        except Invalid as error:
            problem = FieldProblem(
                location=["query", "account"], message="not a username, profile link or e-mail address"
            )
            raise ApiRefusal(422, "invalid", "The account cannot be used.", [problem]) from error
        return JSONResponse(listed.model_dump(mode="json"))

    return [
        Operation(
            "POST",
            "/account-actions",
            "recordAccountAction",
            "Record what the platform did to an account; the user is told first when they can be reached.",
            record_account_action,
            AccountActionRecord,
            status=201,
            body=AccountActionRequest,
            errors=WRITE_ERRORS,
            idempotent=True,
        ),
        Operation(
            "POST",
            "/link-codes",
            "issueLinkCode",
            "A one-time code for an account, for its logged-in owner to send to the bot as /link CODE.",
            issue_link_code,
            IssuedCode,
            status=201,
            body=LinkCodeRequest,
            errors=WRITE_ERRORS,
            idempotent=True,
        ),
        Operation(
            "GET",
            "/tickets/{reference}",
            "getTicket",
            "A ticket's status, outcome and dates (no internal notes, no answers of the user).",
            ticket,
            PlatformTicket,
            path_parameters=("reference",),
            errors={404: "No ticket has this reference."},
        ),
        Operation(
            "GET",
            "/tickets",
            "listTickets",
            "The tickets about one account, the newest first.",
            tickets,
            PlatformTicketList,
            query=TicketQuery,
            errors={422: "The account cannot be used."},
        ),
    ]
