"""Signing in and out, and replacing a one-time password: the pages around `core/accounts.py`."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.core.accounts import AccountRefused, Role, SignInRefused
from bot.web.console.auth import SignedIn, requires, safe_next, sign_in, sign_out
from bot.web.console.pages import desk_of, refusal_text, render


async def login(request: Request) -> Response:
    """GET: the form (or home when signed in). POST: the account's name and password."""
    wanted = request.query_params.get("next")
    if request.method == "GET":
        if isinstance(request.user, SignedIn):
            return RedirectResponse(safe_next(request, wanted), status_code=303)
        return render(request, "login.html", {"next": wanted or "", "name": "", "refused": None})
    form = await request.form()
    name, password = str(form.get("name", "")).strip().lower(), str(form.get("password", ""))
    wanted = str(form.get("next", ""))
    try:
        account = await run_in_threadpool(desk_of(request).accounts.sign_in, name, password)
    except SignInRefused as refused:
        context = {"next": wanted, "name": name, "refused": refused}
        return render(request, "login.html", context, status_code=423 if refused.code == "locked" else 401)
    sign_in(request, account)
    return RedirectResponse(safe_next(request, wanted), status_code=303)


async def logout(request: Request) -> Response:
    sign_out(request)
    return render(request, "login.html", {"next": "", "name": "", "refused": None, "signed_out": True})


@requires(Role.AGENT, one_time_allowed=True)
async def password(request: Request) -> Response:
    """Choose a new password; a one-time password must be replaced before any other page opens."""
    if request.method == "GET":
        return render(request, "password.html", {"refused": None})
    form = await request.form()
    user: SignedIn = request.user
    new, repeated = str(form.get("new", "")), str(form.get("repeated", ""))
    try:
        if new != repeated:
            raise AccountRefused("repeat_mismatch")
        account = await run_in_threadpool(
            desk_of(request).accounts.change_password, user.account.id or 0, str(form.get("current", "")), new
        )
    except AccountRefused as refused:
        return render(request, "password.html", {"refused": refusal_text(request, refused)}, status_code=400)
    sign_in(request, account)  # the new password version: this session goes on, every other one ends
    return RedirectResponse(request.url_for("queue").path, status_code=303)


ROUTES = [
    Route("/login", login, methods=["GET", "POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
    Route("/password", password, methods=["GET", "POST"], name="password"),
]
