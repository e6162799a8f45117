"""Who is signed in to the console, and the role each page needs, checked on the server for every route.

The signed session cookie carries the account's id and the password version it signed in with; each
request loads the account again, so a disabled account or a new password ends the session at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse, Response

from bot.core.accounts import Accounts, Role
from bot.core.tickets.actors import CONSOLE, Actor
from bot.store.models import Account

Endpoint = Callable[[Request], Awaitable[Response]]
SESSION_KEYS = ("account", "version")


class SignedIn(BaseUser):
    """A console account, as a request sees it."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.role = Role(account.role)

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.account.name

    @property
    def actor(self) -> Actor:
        """How the ticket service and the audit trail know this account."""
        return Actor(CONSOLE, self.account.name, self.account.name, supervises=self.role.includes(Role.SUPERVISOR))


class SessionAccounts(AuthenticationBackend):
    """Reads the session that `sign_in` wrote; anything stale or unknown is nobody."""

    def __init__(self, accounts: Accounts) -> None:
        self.accounts = accounts

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        account_id, version = (conn.session.get(key) for key in SESSION_KEYS)
        if not isinstance(account_id, int):
            return None
        account = await run_in_threadpool(self.accounts.get, account_id)
        if account is None or account.disabled_at is not None or account.password_version != version:
            conn.session.clear()
            return None
        user = SignedIn(account)
        return AuthCredentials([role.value for role in Role if user.role.includes(role)]), user


def sign_in(request: Request, account: Account) -> None:
    request.session.clear()  # a new session for the new sign-in, never one a visitor brought along
    request.session.update({"account": account.id, "version": account.password_version})


def sign_out(request: Request) -> None:
    request.session.clear()


def requires(role: Role, one_time_allowed: bool = False) -> Callable[[Endpoint], Endpoint]:
    """Signed out: to the sign-in page, and back here after. Signed in without the role: 403.
    Signed in with a one-time password: to the page that replaces it, and nowhere else."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        @wraps(endpoint)
        async def guarded(request: Request) -> Response:
            user = request.user
            if not isinstance(user, SignedIn):
                wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                login = request.url_for("login").path
                return RedirectResponse(f"{login}?{urlencode({'next': wanted})}", status_code=303)
            if user.account.one_time and not one_time_allowed:
                return RedirectResponse(request.url_for("password").path, status_code=303)
            if role.value not in request.auth.scopes:
                raise HTTPException(403, f"This page is for {role.value}s.")
            return await endpoint(request)

        guarded.required_role = role  # type: ignore[attr-defined]  # read by the console's route check
        return guarded

    return decorate


def safe_next(request: Request, wanted: Any) -> str:
    """Where to go after signing in: a console page, never another site."""
    home = request.url_for("queue").path
    if isinstance(wanted, str) and wanted.startswith(home) and not wanted.startswith("//"):
        return wanted
    return home
