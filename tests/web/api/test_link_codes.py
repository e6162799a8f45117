"""POST /api/v1/link-codes and /link CODE: a one-time, expiring code makes a chat identity a verified owner."""

from __future__ import annotations

import httpx
from sqlmodel import select

from bot.core.clock import ManualClock
from bot.core.platform.links import LIFETIME, MAX_MISSES
from bot.desk import Desk
from bot.store.models import User, VerifiedOwner
from tests.chat import ChatUser


async def code_for(client: httpx.AsyncClient, account: str = "olegz_dev") -> str:
    response = await client.post("/link-codes", json={"account_id": account})
    assert response.status_code == 201, response.text
    return str(response.json()["code"])


def owners(desk: Desk) -> list[tuple[str, str]]:
    with desk.db.session() as session:
        rows = session.exec(select(User.platform_user_id, VerifiedOwner.account_key).join(User))
        return [(user, account) for user, account in rows]


async def test_a_code_sent_with_link_makes_the_chat_a_verified_owner(client: httpx.AsyncClient, desk: Desk) -> None:
    code = await code_for(client)
    oleg = ChatUser(desk, "oleg")
    oleg.send(f"/link {code.lower()}")
    assert "this chat is now linked to your account olegz_dev" in oleg.text()
    assert owners(desk) == [("oleg", "profile:olegz_dev")]


async def test_a_code_works_once(client: httpx.AsyncClient, desk: Desk) -> None:
    code = await code_for(client)
    ChatUser(desk, "oleg").send(f"/link {code}")
    mallory = ChatUser(desk, "mallory")
    mallory.send(f"/link {code}")
    assert "That code was already used" in mallory.text()
    assert owners(desk) == [("oleg", "profile:olegz_dev")]


async def test_a_code_expires(client: httpx.AsyncClient, desk: Desk, clock: ManualClock) -> None:
    code = await code_for(client)
    clock.advance(seconds=LIFETIME.total_seconds())
    oleg = ChatUser(desk, "oleg")
    oleg.send(f"/link {code}")
    assert "That code has expired" in oleg.text()
    assert owners(desk) == []


async def test_guessing_is_stopped_after_a_few_misses_even_for_the_right_code(
    client: httpx.AsyncClient, desk: Desk, clock: ManualClock
) -> None:
    code = await code_for(client)
    mallory = ChatUser(desk, "mallory")
    for _ in range(MAX_MISSES):
        mallory.send("/link AAAA-AAAA")
        assert "does not match any code" in mallory.text()
    mallory.send(f"/link {code}")
    assert "Too many codes that did not match" in mallory.text()
    assert owners(desk) == []
    clock.advance(hours=1)  # the misses are an hour old: a new code from the platform works
    mallory.send(f"/link {await code_for(client)}")
    assert owners(desk) == [("mallory", "profile:olegz_dev")]


async def test_link_without_a_code_says_how(desk: Desk) -> None:
    oleg = ChatUser(desk, "oleg")
    oleg.send("/link")
    assert "send the code WorkMarket shows you, like this: /link ABCD-EFGH" in oleg.text()


async def test_a_repeated_request_gets_the_same_code(client: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "link-olegz-1"}
    first = await client.post("/link-codes", json={"account_id": "olegz_dev"}, headers=headers)
    again = await client.post("/link-codes", json={"account_id": "olegz_dev"}, headers=headers)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"


async def test_a_code_needs_a_usable_account_and_nothing_else(client: httpx.AsyncClient) -> None:
    unusable = await client.post("/link-codes", json={"account_id": "not an account!"})
    extra = await client.post("/link-codes", json={"account_id": "olegz_dev", "owner": "me"})
    assert unusable.json()["error"]["fields"][0]["location"] == ["body", "account_id"]
    assert extra.json()["error"]["fields"][0]["location"] == ["body", "owner"]
