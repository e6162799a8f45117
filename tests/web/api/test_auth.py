"""Only a live API key gets in; every refusal looks the same, and every call is kept with the key's name."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import col, select

from bot.desk import Desk
from bot.store.models import AccountAction, ApiCall
from tests.web.api.conftest import action


def calls(desk: Desk) -> list[ApiCall]:
    with desk.db.session() as session:
        return list(session.exec(select(ApiCall).order_by(col(ApiCall.id))))


async def test_no_key_is_refused_with_401_and_the_error_shape(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.post("/account-actions", json=action())
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    "header",
    ["Bearer adk_000000000000_" + "x" * 43, "Bearer", "Basic bWFya2V0OnBsYWNl", "Bearer not-a-key-at-all"],
)
async def test_a_wrong_key_gets_exactly_what_a_missing_one_gets(
    anonymous: httpx.AsyncClient, desk: Desk, header: str
) -> None:
    missing = await anonymous.get("/tickets", params={"account": "olegz_dev"})
    wrong = await anonymous.get("/tickets", params={"account": "olegz_dev"}, headers={"Authorization": header})
    assert wrong.status_code == missing.status_code == 401
    assert wrong.json() == missing.json()


async def test_a_revoked_key_is_refused_and_changes_nothing(client: httpx.AsyncClient, desk: Desk) -> None:
    desk.api_keys.revoke("marketplace")
    response = await client.post("/account-actions", json=action())
    assert response.status_code == 401
    with desk.db.session() as session:
        assert session.exec(select(AccountAction)).first() is None


async def test_every_call_is_audited_with_the_keys_name_and_its_status(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient, desk: Desk
) -> None:
    await client.post("/account-actions", json=action(), headers={"Idempotency-Key": "hold-1"})
    await client.get("/tickets/AD-2026-999999")
    await anonymous.get("/tickets/AD-2026-999999")
    assert [(c.key_name, c.method, c.path, c.status, c.idempotency_key) for c in calls(desk)] == [
        ("marketplace", "POST", "/api/v1/account-actions", 201, "hold-1"),
        ("marketplace", "GET", "/api/v1/tickets/AD-2026-999999", 404, None),
        (None, "GET", "/api/v1/tickets/AD-2026-999999", 401, None),
    ]


async def test_unknown_paths_and_methods_answer_in_the_error_shape(client: httpx.AsyncClient) -> None:
    missing = await client.get("/no-such-thing")
    wrong_method = await client.delete("/account-actions")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")
    assert (wrong_method.status_code, wrong_method.json()["error"]["code"]) == (405, "method_not_allowed")


async def test_the_openapi_document_needs_no_key(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.get("/openapi.json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.1")


async def test_a_path_the_api_cannot_route_still_answers_in_the_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/tickets/%0Aline")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")
