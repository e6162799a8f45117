"""API keys: shown once, kept as a hash, refused once revoked, and never found by a near miss."""

from __future__ import annotations

import hashlib

import pytest
from sqlmodel import select

from bot.core.platform.keys import KeyRefused
from bot.desk import Desk
from bot.store.models import ApiKey


def test_a_new_key_authenticates_as_its_name(desk: Desk) -> None:
    token = desk.api_keys.add("marketplace")
    assert token.startswith("adk_")
    assert desk.api_keys.authenticate(token) == "marketplace"


def test_only_the_hash_of_a_key_is_stored(desk: Desk) -> None:
    token = desk.api_keys.add("marketplace")
    with desk.db.session() as session:
        row = session.exec(select(ApiKey)).one()
    assert row.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(row.model_dump())


def test_a_revoked_key_is_refused(desk: Desk) -> None:
    token = desk.api_keys.add("marketplace")
    desk.api_keys.revoke("marketplace")
    assert desk.api_keys.authenticate(token) is None
    assert desk.api_keys.all()[0].revoked_at is not None


def test_a_key_with_one_character_changed_is_refused(desk: Desk) -> None:
    token = desk.api_keys.add("marketplace")
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert desk.api_keys.authenticate(changed) is None


@pytest.mark.parametrize("token", ["", "adk_", "Bearer x", "adk_000000000000_" + "x" * 43, "ä" * 60])
def test_anything_that_is_not_a_key_is_refused(desk: Desk, token: str) -> None:
    desk.api_keys.add("marketplace")
    assert desk.api_keys.authenticate(token) is None


def test_two_keys_never_share_a_name_even_after_a_revocation(desk: Desk) -> None:
    desk.api_keys.add("marketplace")
    desk.api_keys.revoke("marketplace")
    with pytest.raises(KeyRefused) as refused:
        desk.api_keys.add("marketplace")
    assert refused.value.code == "taken"


@pytest.mark.parametrize("name", ["", "Market Place", "-dash", "x" * 65])
def test_a_key_name_is_short_lower_case_and_plain(desk: Desk, name: str) -> None:
    with pytest.raises(KeyRefused) as refused:
        desk.api_keys.add(name)
    assert refused.value.code == "bad_name"


def test_revoking_an_unknown_key_is_refused(desk: Desk) -> None:
    with pytest.raises(KeyRefused) as refused:
        desk.api_keys.revoke("nobody")
    assert refused.value.code == "unknown"
