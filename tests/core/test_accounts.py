"""Console accounts: names, passwords hashed with argon2, roles, lockout after repeated failures."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.core.accounts import (
    FAILURES_BEFORE_LOCKOUT,
    LOCKOUT,
    AccountRefused,
    Accounts,
    Role,
    SignInRefused,
)
from bot.core.clock import ManualClock
from bot.desk import Desk
from bot.store.models import Account

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(desk: Desk) -> Accounts:
    return desk.accounts


def refusal(accounts: Accounts, name: str, password: str) -> SignInRefused:
    with pytest.raises(SignInRefused) as refused:
        accounts.sign_in(name, password)
    return refused.value


def test_a_password_is_kept_only_as_an_argon2_hash(accounts: Accounts, desk: Desk) -> None:
    accounts.add("alice", Role.AGENT, PASSWORD)
    with desk.db.session() as session:
        (row,) = session.exec(select(Account)).all()
    assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash
    assert accounts.sign_in("alice", PASSWORD).role == "agent"


def test_an_account_made_without_a_password_gets_a_one_time_one(accounts: Accounts) -> None:
    generated = accounts.add("bob", Role.SUPERVISOR)
    assert generated is not None and len(generated) >= 16
    signed_in = accounts.sign_in("bob", generated)
    assert signed_in.one_time
    changed = accounts.change_password(signed_in.id or 0, generated, PASSWORD)
    assert not changed.one_time and changed.password_version == signed_in.password_version + 1
    assert refusal(accounts, "bob", generated).code == "wrong"


@pytest.mark.parametrize(
    ("name", "password", "code"),
    [
        ("Alice Smith", PASSWORD, "bad_name"),
        ("", PASSWORD, "bad_name"),
        ("carol", "short", "password_length"),
        ("carol", "x" * 257, "password_length"),
    ],
)
def test_names_and_passwords_that_the_rules_refuse(accounts: Accounts, name: str, password: str, code: str) -> None:
    with pytest.raises(AccountRefused) as refused:
        accounts.add(name, Role.AGENT, password)
    assert refused.value.code == code


def test_a_name_is_taken_once(accounts: Accounts) -> None:
    accounts.add("alice", Role.AGENT, PASSWORD)
    with pytest.raises(AccountRefused) as refused:
        accounts.add("alice", Role.ADMIN, PASSWORD)
    assert refused.value.code == "taken"


def test_a_wrong_name_and_a_wrong_password_are_refused_alike(accounts: Accounts) -> None:
    accounts.add("alice", Role.AGENT, PASSWORD)
    assert refusal(accounts, "alice", "not the password").code == "wrong"
    assert refusal(accounts, "nobody", PASSWORD).code == "wrong"


def test_repeated_failures_lock_the_account_even_for_the_right_password_until_the_lockout_ends(
    accounts: Accounts, clock: ManualClock
) -> None:
    accounts.add("alice", Role.AGENT, PASSWORD)
    for _ in range(FAILURES_BEFORE_LOCKOUT - 1):
        assert refusal(accounts, "alice", "guess").code == "wrong"
    locked = refusal(accounts, "alice", "guess")
    assert locked.code == "locked" and locked.until == clock.now() + LOCKOUT
    assert refusal(accounts, "alice", PASSWORD).code == "locked"
    clock.advance(seconds=LOCKOUT.total_seconds() + 1)
    assert accounts.sign_in("alice", PASSWORD).failed_sign_ins == 0


def test_a_sign_in_forgives_earlier_failures(accounts: Accounts) -> None:
    accounts.add("alice", Role.AGENT, PASSWORD)
    for _ in range(FAILURES_BEFORE_LOCKOUT - 1):
        refusal(accounts, "alice", "guess")
    accounts.sign_in("alice", PASSWORD)
    assert refusal(accounts, "alice", "guess").code == "wrong"


def test_a_reset_lifts_the_lockout_and_ends_earlier_sessions(accounts: Accounts) -> None:
    accounts.add("alice", Role.AGENT, PASSWORD)
    before = accounts.sign_in("alice", PASSWORD).password_version
    for _ in range(FAILURES_BEFORE_LOCKOUT):
        refusal(accounts, "alice", "guess")
    generated = accounts.reset_password("alice")
    assert generated is not None
    after = accounts.sign_in("alice", generated)
    assert after.one_time and after.password_version > before


def test_a_disabled_account_cannot_sign_in_and_the_last_admin_stays(accounts: Accounts) -> None:
    accounts.add("root", Role.ADMIN, PASSWORD)
    accounts.add("alice", Role.AGENT, PASSWORD)
    accounts.disable("alice")
    assert refusal(accounts, "alice", PASSWORD).code == "disabled"
    assert refusal(accounts, "alice", "guess").code == "wrong"
    with pytest.raises(AccountRefused) as refused:
        accounts.disable("root")
    assert refused.value.code == "last_admin"
    with pytest.raises(AccountRefused) as unknown:
        accounts.disable("nobody")
    assert unknown.value.code == "unknown"


def test_the_first_start_makes_one_admin_once(accounts: Accounts) -> None:
    password = accounts.first_admin()
    assert password is not None
    assert accounts.sign_in("admin", password).role == "admin"
    assert accounts.first_admin() is None
    assert [account.name for account in accounts.all()] == ["admin"]


def test_each_role_includes_the_ones_before_it() -> None:
    assert Role.ADMIN.includes(Role.SUPERVISOR) and Role.ADMIN.includes(Role.AGENT)
    assert Role.SUPERVISOR.includes(Role.AGENT) and not Role.SUPERVISOR.includes(Role.ADMIN)
    assert not Role.AGENT.includes(Role.SUPERVISOR)
