"""Users and roles (admins): the same account rules as `appealdesk users`, as a page."""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.core.accounts import AccountRefused, Accounts, Role
from bot.web.console.auth import requires
from bot.web.console.pages import desk_of, refusal_text, render


async def _page(request: Request, status_code: int = 200, **context: object) -> Response:
    desk = desk_of(request)
    accounts = await run_in_threadpool(desk.accounts.all)
    values = {"accounts": accounts, "roles": list(Role), "now": desk.clock.now(), "done": None, "refused": None}
    return render(request, "users.html", {**values, **context}, status_code=status_code)


@requires(Role.ADMIN)
async def users(request: Request) -> Response:
    return await _page(request)


# Each change an admin can make, by the form's path; a one-time password comes back to be shown once.
CHANGES: dict[str, Callable[[Accounts, str, FormData], str | None]] = {
    "add": lambda accounts, name, form: accounts.add(name, Role(str(form.get("role", "")))),
    "disable": lambda accounts, name, form: accounts.disable(name),
    "reset": lambda accounts, name, form: accounts.reset_password(name),
}


@requires(Role.ADMIN)
async def change(request: Request) -> Response:
    action = request.path_params["action"]
    if action not in CHANGES:
        raise HTTPException(404)
    form = await request.form()
    name = str(form.get("name", "")).strip().lower()
    try:
        password = await run_in_threadpool(CHANGES[action], desk_of(request).accounts, name, form)
    except ValueError:
        return await _page(request, 400, refused=f"Choose a role: {', '.join(Role)}.")
    except AccountRefused as refused:
        return await _page(request, 400, refused=refusal_text(request, refused))
    return await _page(request, done={"action": action, "name": name, "password": password})


ROUTES = [
    Route("/users", users, name="users"),
    Route("/users/{action:str}", change, methods=["POST"], name="users_change"),
]
