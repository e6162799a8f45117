"""Every console route checks the role on the server, every form needs its CSRF token, every value is escaped."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.routing import Mount, Route

from bot.core.accounts import Role
from bot.desk import Desk
from bot.web.console.app import routes
from tests.chat import ChatUser, file_appeal
from tests.web.console.conftest import PASSWORD, Console

OPEN_TO_ALL = {"login", "logout"}  # signing in and out; static files are not pages


def guarded_routes() -> list[Route]:
    return [route for route in routes() if isinstance(route, Route) and route.name not in OPEN_TO_ALL]


def test_every_page_names_the_role_it_needs() -> None:
    assert {route.name for route in guarded_routes()} >= {"queue", "users", "users_change", "password"}
    for route in guarded_routes():
        assert isinstance(getattr(route.endpoint, "required_role", None), Role), route.name
    assert all(isinstance(route, Mount) and route.name == "static" for route in routes() if not isinstance(route, Route))


@pytest.mark.parametrize("path", ["/console/", "/console/users", "/console/password"])
def test_a_signed_out_visitor_gets_the_sign_in_page_for_every_page(console: Console, path: str) -> None:
    sent: Any = console.get(path)
    assert sent.status_code == 303 and sent.headers["location"].startswith("/console/login?next=")


def test_an_agent_gets_403_on_admin_pages_and_their_forms(console: Console, accounts: Desk) -> None:
    console.sign_in("alice")
    forbidden: Any = console.get("/console/users")
    assert forbidden.status_code == 403 and "This page is for admins" in forbidden.text
    refused: Any = console.submit("/console/", "/console/users/add", name="mallory", role="admin")
    assert refused.status_code == 403
    assert "mallory" not in [account.name for account in accounts.accounts.all()]


def test_an_admin_adds_an_account_and_sees_its_one_time_password_once(console: Console, accounts: Desk) -> None:
    console.sign_in("root")
    added: Any = console.submit("/console/users", "/console/users/add", name="erin", role="supervisor")
    assert added.status_code == 200 and "Account erin created" in added.text and "one-time password is" in added.text
    assert "one-time password is" not in console.get("/console/users").text  # type: ignore[attr-defined]
    refused: Any = console.submit("/console/users", "/console/users/disable", name="root")
    assert refused.status_code == 400 and "the last admin" in refused.text


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(console: Console, accounts: Desk) -> None:
    console.sign_in("root")
    missing: Any = console.client.post("/console/users/add", data={"name": "erin", "role": "agent"})
    assert missing.status_code == 403 and "This form was not applied" in missing.text
    forged: Any = console.client.post("/console/users/add", data={"name": "erin", "role": "agent", "csrftoken": "forged"})
    assert forged.status_code == 403
    assert "erin" not in [account.name for account in accounts.accounts.all()]


def test_signing_in_needs_the_token_too_so_no_other_site_signs_a_visitor_in(console: Console, accounts: Desk) -> None:
    refused: Any = console.client.post("/console/login", data={"name": "alice", "password": PASSWORD})
    assert refused.status_code == 403


def test_what_users_wrote_is_escaped_on_every_page(console: Console, accounts: Desk) -> None:
    user = ChatUser(accounts, display_name="<img src=x onerror=alert(1)>")
    file_appeal(user)
    console.sign_in("alice")
    queue: Any = console.get("/console/")
    assert "<img src=x" not in queue.text and "&lt;img src=x onerror=alert(1)&gt;" in queue.text
