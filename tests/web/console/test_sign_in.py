"""Signing in and out of the console: sessions, lockout, one-time passwords, ended sessions."""

from __future__ import annotations

from typing import Any

from bot.core.accounts import FAILURES_BEFORE_LOCKOUT, Role
from bot.desk import Desk
from tests.web.console.conftest import PASSWORD, Console


def test_a_signed_out_visitor_is_sent_to_sign_in_and_back_to_the_page_they_wanted(
    console: Console, accounts: Desk
) -> None:
    sent: Any = console.get("/console/users?page=2")
    assert sent.status_code == 303
    assert sent.headers["location"] == "/console/login?next=%2Fconsole%2Fusers%3Fpage%3D2"
    signed_in: Any = console.sign_in("root", next_page="/console/users?page=2")
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/console/users?page=2"


def test_signing_in_opens_the_queue_and_signing_out_ends_the_session(console: Console, accounts: Desk) -> None:
    signed_in: Any = console.sign_in("alice")
    assert signed_in.headers["location"] == "/console/"
    queue: Any = console.get("/console/")
    assert queue.status_code == 200 and "alice (agent)" in queue.text
    signed_out: Any = console.submit("/console/", "/console/logout")
    assert "You are signed out" in signed_out.text
    assert console.get("/console/").status_code == 303  # type: ignore[attr-defined]


def test_the_session_cookie_is_signed_and_kept_to_the_console(console: Console, accounts: Desk) -> None:
    console.sign_in("alice")
    cookie = next(cookie for cookie in console.client.cookies.jar if cookie.name == "appealdesk_console")
    assert cookie.path == "/console" and "alice" not in cookie.value
    console.client.cookies.set("appealdesk_console", cookie.value[:-2] + "xx", path="/console")
    assert console.get("/console/").status_code == 303  # type: ignore[attr-defined]


def test_a_wrong_password_says_so_without_saying_which_was_wrong(console: Console, accounts: Desk) -> None:
    for name in ("alice", "nobody"):
        refused: Any = console.sign_in(name, "not the password")
        assert refused.status_code == 401
        assert "The name or the password is not right" in refused.text


def test_repeated_failures_lock_the_account_and_the_page_says_until_when(console: Console, accounts: Desk) -> None:
    for _ in range(FAILURES_BEFORE_LOCKOUT - 1):
        console.sign_in("alice", "guess")
    locked: Any = console.sign_in("alice", "guess")
    assert locked.status_code == 423
    assert "locked until Wed 25 Nov, 12:15 UTC" in locked.text
    assert console.sign_in("alice").status_code == 423  # type: ignore[attr-defined]


def test_a_one_time_password_must_be_replaced_before_any_page_opens(console: Console, desk: Desk) -> None:
    generated = desk.accounts.add("dana", Role.AGENT)
    assert generated is not None
    console.sign_in("dana", generated)
    assert console.get("/console/").headers["location"] == "/console/password"  # type: ignore[attr-defined]
    mismatch: Any = console.submit(
        "/console/password", "/console/password", current=generated, new=PASSWORD, repeated=PASSWORD + "!"
    )
    assert mismatch.status_code == 400 and "not the same" in mismatch.text
    saved: Any = console.submit("/console/password", "/console/password", current=generated, new=PASSWORD, repeated=PASSWORD)
    assert saved.headers["location"] == "/console/"
    assert console.get("/console/").status_code == 200  # type: ignore[attr-defined]


def test_disabling_an_account_or_resetting_its_password_ends_its_sessions(console: Console, accounts: Desk) -> None:
    console.sign_in("alice")
    accounts.accounts.reset_password("alice", "another long password")
    assert console.get("/console/").status_code == 303  # type: ignore[attr-defined]
    console.sign_in("alice", "another long password")
    accounts.accounts.disable("alice")
    assert console.get("/console/").status_code == 303  # type: ignore[attr-defined]
    refused: Any = console.sign_in("alice", "another long password")
    assert "This account is disabled" in refused.text


def test_after_signing_in_the_visitor_goes_to_console_pages_only(console: Console, accounts: Desk) -> None:
    signed_in: Any = console.sign_in("alice", next_page="https://evil.example/")
    assert signed_in.headers["location"] == "/console/"
