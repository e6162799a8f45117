"""`appealdesk api-keys ...`: keys for the platform's systems, made, listed and revoked from the command line."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.desk import Desk

runner = CliRunner()


@pytest.fixture
def env(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setenv("APPEALDESK_DATABASE_URL", desk.db.url)
    return desk


def api_keys(*args: str, code: int = 0) -> Result:
    result = runner.invoke(app, ["api-keys", *args])
    assert result.exit_code == code, result.output
    return result


def test_add_prints_the_key_once_and_it_authenticates(env: Desk) -> None:
    found = re.search(r"API key marketplace: (\S+)", api_keys("add", "marketplace").output)
    assert found
    assert env.api_keys.authenticate(found.group(1)) == "marketplace"
    assert found.group(1) not in api_keys("list").output


def test_list_shows_which_keys_are_revoked(env: Desk) -> None:
    api_keys("add", "billing")
    api_keys("add", "trust-and-safety")
    api_keys("revoke", "billing")
    lines = api_keys("list").output.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["billing", "trust-and-safety"]
    assert "revoked" in lines[0] and lines[1].endswith("active")


def test_refusals_say_what_to_do_and_exit_with_2(env: Desk) -> None:
    api_keys("add", "marketplace")
    assert "already a key named marketplace" in api_keys("add", "marketplace", code=2).output
    assert "no key named ghost" in api_keys("revoke", "ghost", code=2).output
