"""`appealdesk users ...`: accounts for the web console, made and managed from the command line."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.core.accounts import SignInRefused
from bot.desk import Desk

runner = CliRunner()
PASSWORD = "a long enough password"


@pytest.fixture
def env(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setenv("APPEALDESK_DATABASE_URL", desk.db.url)
    return desk


def users(*args: str, stdin: str | None = None, code: int = 0) -> Result:
    result = runner.invoke(app, ["users", *args], input=stdin)
    assert result.exit_code == code, result.output
    return result


def one_time_password(result: Result) -> str:
    found = re.search(r"One-time password for \S+: (\S+)", result.output)
    assert found, result.output
    return found.group(1)


def test_add_prints_a_one_time_password_that_signs_in(env: Desk) -> None:
    result = users("add", "alice", "--role", "agent")
    assert env.accounts.sign_in("alice", one_time_password(result)).one_time


def test_add_reads_the_password_from_stdin(env: Desk) -> None:
    result = users("add", "bob", "--role", "supervisor", "--password-stdin", stdin=PASSWORD + "\n")
    assert "One-time" not in result.output
    assert env.accounts.sign_in("bob", PASSWORD).role == "supervisor"


def test_list_shows_roles_and_states(env: Desk) -> None:
    users("add", "root", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    users("add", "alice", "--role", "agent")
    users("add", "bob", "--role", "agent", "--password-stdin", stdin=PASSWORD)
    users("disable", "bob")
    assert users("list").output.splitlines() == [
        "alice\tagent\tone-time password",
        "bob\tagent\tdisabled",
        "root\tadmin\tactive",
    ]


def test_reset_password_prints_a_new_one_time_password_or_reads_stdin(env: Desk) -> None:
    users("add", "alice", "--role", "agent", "--password-stdin", stdin=PASSWORD)
    generated = one_time_password(users("reset-password", "alice"))
    with pytest.raises(SignInRefused):
        env.accounts.sign_in("alice", PASSWORD)
    assert env.accounts.sign_in("alice", generated).one_time
    users("reset-password", "alice", "--password-stdin", stdin="another long password\n")
    assert not env.accounts.sign_in("alice", "another long password").one_time


def test_refusals_are_a_sentence_and_exit_code_2(env: Desk) -> None:
    assert "no account named carol" in users("disable", "carol", code=2).output
    assert "12 to 256 characters" in users("add", "dan", "--role", "agent", "--password-stdin", stdin="short", code=2).output
    assert users("add", "erin", "--role", "owner", code=2).exit_code == 2
