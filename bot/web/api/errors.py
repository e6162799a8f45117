"""One shape for every error the API answers, so a client reads them all the same way."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

# The code an HTTP status gets when nothing more precise is said.
CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    409: "in_progress",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
}
MESSAGES = {401: "Send a valid API key as `Authorization: Bearer <key>`."}


class FieldProblem(BaseModel):
    location: list[str | int]
    message: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: list[FieldProblem] = []


class ApiError(BaseModel):
    """What every refused call answers."""

    model_config = ConfigDict(title="Error")

    error: ErrorDetail


class ApiRefusal(Exception):
    """A call refused with a status, a code and a message, answered in the error shape."""

    def __init__(self, status: int, code: str, message: str, fields: Sequence[FieldProblem] = ()) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, list(fields)


def error_response(status: int, code: str, message: str, fields: Sequence[FieldProblem] = ()) -> JSONResponse:
    body = ApiError(error=ErrorDetail(code=code, message=message, fields=list(fields)))
    headers = {"WWW-Authenticate": 'Bearer realm="appealdesk"'} if status == 401 else None
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def invalid(error: ValidationError, where: str) -> ApiRefusal:
    """Pydantic's errors, each with where it is (`body`, `query`) and what is wrong, without the input."""
    fields = [
        FieldProblem(location=[where, *error_part["loc"]], message=error_part["msg"]) for error_part in error.errors()
    ]
    return ApiRefusal(422, "invalid", "Some fields cannot be used; each is listed with what is wrong.", fields)


async def refused(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiRefusal)
    return error_response(exc.status, exc.code, exc.message, exc.fields)


async def http_error(_request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no such route, wrong method, no key) in the API's shape."""
    assert isinstance(exc, HTTPException)
    code = CODES.get(exc.status_code, "error")
    return error_response(exc.status_code, code, MESSAGES.get(exc.status_code, str(exc.detail)))
