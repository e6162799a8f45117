"""The platform API through HTTP: httpx against the product's real ASGI app, with a live key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from bot.desk import Desk
from bot.web.app import create_app

BASE = "http://appealdesk/api/v1"


def action(**overrides: Any) -> dict[str, Any]:
    """A complete account action as the platform sends it; keyword arguments change or add fields."""
    body: dict[str, Any] = {
        "account_id": "olegz_dev",
        "action": "temporary_hold",
        "reason_category": "account-sharing",
        "rule_entries": ["account-sharing"],
        "public_explanation": "Someone else logged in to your account from another country and sent proposals.",
        "internal_note": "Logins from two countries within an hour; payout changed the same day.",
        "acting_staff": "ts-maria",
        "taken_at": datetime(2026, 11, 25, 9, 30, tzinfo=UTC).isoformat(),
    }
    body.update(overrides)
    return body


@pytest.fixture
def key(desk: Desk) -> str:
    return desk.api_keys.add("marketplace")


@pytest.fixture
async def client(desk: Desk, key: str) -> AsyncIterator[httpx.AsyncClient]:
    """Calls the API with the marketplace's key."""
    transport = httpx.ASGITransport(app=create_app(desk))
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE, headers={"Authorization": f"Bearer {key}"}
    ) as client:
        yield client


@pytest.fixture
async def anonymous(desk: Desk) -> AsyncIterator[httpx.AsyncClient]:
    """Calls the API with no key at all."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(desk)), base_url=BASE) as client:
        yield client
