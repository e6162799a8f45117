"""The platform's API keys (admins): the same rules as `appealdesk api-keys`, as a page."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.core.accounts import Role
from bot.core.platform.keys import ApiKeys, KeyRefused
from bot.web.console.auth import requires
from bot.web.console.pages import desk_of, refusal_text, render


async def _page(request: Request, status_code: int = 200, **context: object) -> Response:
    keys: ApiKeys = desk_of(request).api_keys
    values = {
        "keys": await run_in_threadpool(keys.all),
        "last_calls": await run_in_threadpool(keys.last_calls),
        "done": None,
        "refused": None,
    }
    return render(request, "api_keys.html", {**values, **context}, status_code=status_code)


@requires(Role.ADMIN)
async def api_keys(request: Request) -> Response:
    return await _page(request)


@requires(Role.ADMIN)
async def change(request: Request) -> Response:
    """Adds a key (shown on this page only, once) or revokes one."""
    action = request.path_params["action"]
    if action not in ("add", "revoke"):
        raise HTTPException(404)
    form = await request.form()
    name = str(form.get("name", "")).strip().lower()
    keys: ApiKeys = desk_of(request).api_keys
    try:
        token = await run_in_threadpool(keys.add, name) if action == "add" else None
        if action == "revoke":
            await run_in_threadpool(keys.revoke, name)
    except KeyRefused as refused:
        return await _page(request, 400, refused=refusal_text(request, refused))
    return await _page(request, done={"action": action, "name": name, "token": token})


ROUTES = [
    Route("/api-keys", api_keys, name="api_keys"),
    Route("/api-keys/{action:str}", change, methods=["POST"], name="api_keys_change"),
]
