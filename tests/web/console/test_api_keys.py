"""Admins make and revoke the platform's API keys in the console, as with `appealdesk api-keys`."""

from __future__ import annotations

import re
from typing import Any

import httpx

from bot.desk import Desk
from bot.web.app import create_app
from tests.web.console.conftest import Console

KEY = re.compile(r"<code>(adk_[^<]+)</code>")


async def calls_with(desk: Desk, key: str) -> int:
    """The status of one API read made with `key`."""
    transport = httpx.ASGITransport(app=create_app(desk))
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://appealdesk", headers=headers) as client:
        return (await client.get("/api/v1/tickets", params={"account": "olegz_dev"})).status_code


async def test_an_admin_adds_a_key_sees_it_once_and_the_platform_calls_with_it(
    console: Console, accounts: Desk
) -> None:
    console.sign_in("root")
    added: Any = console.submit("/console/api-keys", "/console/api-keys/add", name="marketplace")
    assert added.status_code == 200 and "Key marketplace created" in added.text
    found = KEY.search(added.text)
    assert found, added.text
    assert await calls_with(accounts, found.group(1)) == 200
    page: Any = console.get("/console/api-keys")
    assert found.group(1) not in page.text, "a key is shown once, when it is made"
    assert "<td>marketplace</td>" in page.text and "<td>live</td>" in page.text
    assert "<td>never</td>" not in page.text, "the call it made is its last call"


async def test_a_revoked_key_is_refused_from_then_on(console: Console, accounts: Desk) -> None:
    key = accounts.api_keys.add("marketplace")
    console.sign_in("root")
    revoked: Any = console.submit("/console/api-keys", "/console/api-keys/revoke", name="marketplace")
    assert revoked.status_code == 200 and "Key marketplace is revoked" in revoked.text
    assert await calls_with(accounts, key) == 401


def test_a_taken_name_is_refused_in_the_rule_s_own_words(console: Console, accounts: Desk) -> None:
    accounts.api_keys.add("marketplace")
    console.sign_in("root")
    refused: Any = console.submit("/console/api-keys", "/console/api-keys/add", name="marketplace")
    assert refused.status_code == 400 and 'role="alert"' in refused.text
    assert [key.name for key in accounts.api_keys.all()] == ["marketplace"]


def test_agents_and_supervisors_get_403_and_make_no_key(console: Console, accounts: Desk) -> None:
    for name in ("alice", "sam"):
        console.sign_in(name)
        page: Any = console.get("/console/api-keys")
        assert page.status_code == 403
        made: Any = console.submit("/console/", "/console/api-keys/add", name=f"by-{name}")
        assert made.status_code == 403
        console.client.cookies.clear()
    assert accounts.api_keys.all() == []
