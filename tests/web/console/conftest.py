"""The console through Starlette's test client, as a browser without JavaScript uses it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from bot.core.accounts import Role
from bot.desk import Desk
from bot.web.app import create_app

PASSWORD = "a long enough password"
TOKEN = re.compile(r'name="csrftoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


class Console:
    """A browser on the console: it keeps its cookies and sends each form with the page's token."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def token(self, path: str) -> str:
        page = self.client.get(path)
        found = TOKEN.search(page.text)
        assert found, f"{path} has no form with a CSRF token:\n{page.text}"
        return found.group(1)

    def submit(self, form_page: str, action: str, **fields: str) -> object:
        """Loads `form_page` for its token, then posts `fields` to `action`, as the page's form does."""
        return self.client.post(action, data={"csrftoken": self.token(form_page), **fields}, follow_redirects=False)

    def ticket_form(self, reference: str) -> dict[str, str]:
        """The hidden fields of a ticket page's action forms: the CSRF token and the ticket's version."""
        page = self.client.get(f"/console/tickets/{reference}").text
        token, version = TOKEN.search(page), VERSION.search(page)
        assert token and version, page
        return {"csrftoken": token.group(1), "version": version.group(1)}

    def act(self, reference: str, action: str, form: dict[str, str] | None = None, **fields: str) -> Any:
        """Sends an action form of the ticket page; `form` is an earlier page's hidden fields (a stale page)."""
        hidden = form or self.ticket_form(reference)
        return self.client.post(f"/console/tickets/{reference}/{action}", data={**hidden, **fields}, follow_redirects=False)

    def sign_in(self, name: str, password: str = PASSWORD, next_page: str = "") -> object:
        return self.submit("/console/login", "/console/login", name=name, password=password, next=next_page)

    def get(self, path: str) -> object:
        return self.client.get(path, follow_redirects=False)


@pytest.fixture
def console(desk: Desk) -> Iterator[Console]:
    with TestClient(create_app(desk), base_url="http://appealdesk") as client:
        yield Console(client)


@pytest.fixture
def accounts(desk: Desk) -> Desk:
    """An agent (alice), a supervisor (sam) and an admin (root), each with PASSWORD."""
    for name, role in (("alice", Role.AGENT), ("sam", Role.SUPERVISOR), ("root", Role.ADMIN)):
        desk.accounts.add(name, role, PASSWORD)
    return desk
