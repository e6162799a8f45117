"""POST /api/v1/account-actions: the platform's record is kept, validated strictly, once per Idempotency-Key,
and the user is told first when they can be reached."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlmodel import select

from bot.channels.terminal.console import Console
from bot.channels.terminal.plugin import SYNTAX
from bot.channels.terminal.sender import TerminalSender
from bot.desk import Desk
from bot.store.models import AccountAction, OutboxMessage
from tests.chat import ChatUser
from tests.web.api.conftest import action


def records(desk: Desk) -> list[AccountAction]:
    with desk.db.session() as session:
        return list(session.exec(select(AccountAction)))


def messages_for(desk: Desk, chat_id: str) -> list[OutboxMessage]:
    with desk.db.session() as session:
        return list(
            session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == chat_id, OutboxMessage.kind == "user"))
        )


async def delivered_to_terminal(desk: Desk) -> str:
    """What the terminal chat shows once the outbox is delivered."""
    shown: list[str] = []
    console = Console(desk.renderer.with_commands(SYNTAX), shown.append)
    await desk.worker({"terminal": TerminalSender(console)}).run_once()
    return "".join(shown)


async def test_an_action_is_kept_as_the_platforms_record(client: httpx.AsyncClient, desk: Desk) -> None:
    response = await client.post("/account-actions", json=action())
    assert response.status_code == 201
    body = response.json()
    assert body["action"] == "temporary_hold" and body["rule_entries"] == ["account-sharing"]
    assert body["user_told"] == "no_identity"
    assert "internal_note" not in body
    [kept] = records(desk)
    assert (kept.key_name, kept.account_key, kept.acting_staff) == ("marketplace", "profile:olegz_dev", "ts-maria")
    assert kept.internal_note and kept.internal_note.startswith("Logins from two countries")


async def test_a_user_who_wrote_to_the_bot_is_told_first_with_the_rule(client: httpx.AsyncClient, desk: Desk) -> None:
    ChatUser(desk, "oleg").send("/start")
    response = await client.post("/account-actions", json=action(chat_identity="terminal:oleg"))
    assert response.json()["user_told"] == "queued"

    text = await delivered_to_terminal(desk)
    assert "WorkMarket has put a temporary hold on your account olegz_dev" in text
    assert "Why: Someone else logged in to your account" in text
    assert "The rule: Letting someone else use your account" in text
    assert "Your freelancer account is for you only." in text
    assert "send /appeal" in text and "Start appeal" in text
    assert "Logins from two countries" not in text  # the internal note stays with agents


async def test_a_warning_says_nothing_is_restricted_yet_and_what_to_change(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    ChatUser(desk, "oleg").send("/start")
    await client.post("/account-actions", json=action(action="warning", chat_identity="terminal:oleg"))
    text = await delivered_to_terminal(desk)
    assert "has sent a warning about your account olegz_dev. Nothing is restricted yet" in text
    assert "What to change: keep to the rule above" in text
    assert "Start appeal" not in text and "Talk to a person" in text


async def test_a_lifted_restriction_says_the_account_works_again(client: httpx.AsyncClient, desk: Desk) -> None:
    ChatUser(desk, "oleg").send("/start")
    await client.post("/account-actions", json=action(action="lifted", chat_identity="terminal:oleg"))
    text = await delivered_to_terminal(desk)
    assert "has lifted the restriction on your account olegz_dev. You can use it as usual again." in text
    assert "appeal" not in text.lower()


async def test_nobody_is_written_to_out_of_the_blue(client: httpx.AsyncClient, desk: Desk) -> None:
    response = await client.post("/account-actions", json=action(chat_identity="terminal:never-wrote"))
    assert response.json()["user_told"] == "unknown_identity"
    assert messages_for(desk, "chat-never-wrote") == []


async def test_a_repeat_with_the_same_idempotency_key_returns_the_first_result_and_changes_nothing(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    ChatUser(desk, "oleg").send("/start")
    headers = {"Idempotency-Key": "hold-olegz-1"}
    first = await client.post("/account-actions", json=action(chat_identity="terminal:oleg"), headers=headers)
    again = await client.post("/account-actions", json=action(chat_identity="terminal:oleg"), headers=headers)
    assert again.status_code == first.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert len(records(desk)) == 1
    assert len(messages_for(desk, "chat-oleg")) == 1


async def test_the_same_idempotency_key_with_another_request_is_refused(client: httpx.AsyncClient, desk: Desk) -> None:
    headers = {"Idempotency-Key": "hold-olegz-1"}
    await client.post("/account-actions", json=action(), headers=headers)
    other = await client.post("/account-actions", json=action(action="permanent_suspension"), headers=headers)
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert [kept.action for kept in records(desk)] == ["temporary_hold"]


async def test_without_an_idempotency_key_each_call_is_a_new_record(client: httpx.AsyncClient, desk: Desk) -> None:
    await client.post("/account-actions", json=action())
    await client.post("/account-actions", json=action())
    assert len(records(desk)) == 2


@pytest.mark.parametrize(
    ("change", "location"),
    [
        ({"surprise": True}, ["body", "surprise"]),
        ({"action": "banned"}, ["body", "action"]),
        ({"reason_category": "question-answered"}, ["body", "reason_category"]),
        ({"rule_entries": ["no-such-rule"]}, ["body", "rule_entries"]),
        ({"taken_at": "2026-11-25T09:30:00"}, ["body", "taken_at"]),
        ({"public_explanation": "   "}, ["body", "public_explanation"]),
        ({"account_id": "not an account!"}, ["body", "account_id"]),
        ({"chat_identity": "4242"}, ["body", "chat_identity"]),
    ],
)
async def test_invalid_fields_are_refused_each_with_where_and_what(
    client: httpx.AsyncClient, desk: Desk, change: dict[str, Any], location: list[str]
) -> None:
    response = await client.post("/account-actions", json=action(**change))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert [problem["location"] for problem in error["fields"]] == [location]
    assert records(desk) == []


async def test_a_missing_field_is_named(client: httpx.AsyncClient) -> None:
    body = action()
    del body["acting_staff"]
    response = await client.post("/account-actions", json=body)
    assert response.json()["error"]["fields"] == [{"location": ["body", "acting_staff"], "message": "Field required"}]


async def test_a_body_over_the_limit_is_refused_before_it_is_read(client: httpx.AsyncClient, desk: Desk) -> None:
    body = action(public_explanation="x" * (desk.settings.api_max_body_bytes + 1))
    response = await client.post("/account-actions", json=body)
    assert (response.status_code, response.json()["error"]["code"]) == (413, "too_large")


async def test_a_streamed_body_over_the_limit_is_refused_too(client: httpx.AsyncClient, desk: Desk) -> None:
    async def chunks() -> Any:
        for _ in range(desk.settings.api_max_body_bytes // 1024 + 2):
            yield b" " * 1024

    response = await client.post("/account-actions", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


async def test_a_body_that_is_not_json_is_refused(client: httpx.AsyncClient) -> None:
    broken = await client.post("/account-actions", content=b"{", headers={"Content-Type": "application/json"})
    form = await client.post("/account-actions", data={"account_id": "olegz_dev"})
    assert (broken.status_code, broken.json()["error"]["code"]) == (400, "bad_json")
    assert (form.status_code, form.json()["error"]["code"]) == (415, "unsupported_media_type")


async def test_an_unusable_idempotency_key_is_refused(client: httpx.AsyncClient, desk: Desk) -> None:
    response = await client.post("/account-actions", json=action(), headers={"Idempotency-Key": "x" * 201})
    assert response.json()["error"]["fields"][0]["location"] == ["header", "Idempotency-Key"]
    assert records(desk) == []
