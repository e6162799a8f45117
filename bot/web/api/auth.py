"""Bearer API keys, as a Starlette authentication backend: the key's name is the caller, for the audit."""

from __future__ import annotations

import asyncio

from starlette.authentication import AuthCredentials, AuthenticationBackend, AuthenticationError, BaseUser, SimpleUser
from starlette.requests import HTTPConnection
from starlette.responses import Response

from bot.core.platform.keys import ApiKeys
from bot.web.api.errors import MESSAGES, error_response

SCOPE = "platform"


class BearerKeys(AuthenticationBackend):
    """No Authorization header: an anonymous caller (whom every endpoint refuses, the document aside).
    Any other header that is not a live key: refused at once."""

    def __init__(self, keys: ApiKeys) -> None:
        self.keys = keys

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        header = conn.headers.get("authorization")
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        name = await asyncio.to_thread(self.keys.authenticate, token.strip()) if scheme.lower() == "bearer" else None
        if name is None:
            raise AuthenticationError("wrong key")
        return AuthCredentials([SCOPE]), SimpleUser(name)


def unauthorized(_conn: HTTPConnection, _error: Exception) -> Response:
    """A wrong or revoked key gets what a missing one gets: which of them it was helps only a guesser."""
    return error_response(401, "unauthorized", MESSAGES[401])
