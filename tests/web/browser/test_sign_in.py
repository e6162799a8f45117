"""In a real browser: signing in and out, lockout, roles, the sign-in redirect, CSRF, and accessibility."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from bot.core.accounts import FAILURES_BEFORE_LOCKOUT, Role
from bot.desk import Desk
from tests.web.browser.conftest import screenshot, serious_violations

PASSWORD = "a long enough password"


def accounts(desk: Desk) -> None:
    desk.accounts.add("alice", Role.AGENT, PASSWORD)
    desk.accounts.add("root", Role.ADMIN, PASSWORD)


def sign_in(page: Page, name: str, password: str = PASSWORD) -> None:
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_an_agent_signs_in_sees_the_queue_and_signs_out(page: Page, desk: Desk) -> None:
    accounts(desk)
    page.goto("/console/login")
    expect(page.get_by_role("heading", name="Sign in to the console")).to_be_visible()
    screenshot(page, "login")
    sign_in(page, "alice")
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    expect(page.get_by_text("alice (agent)")).to_be_visible()
    screenshot(page, "queue-empty")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    page.goto("/console/")
    expect(page).to_have_url(re.compile(r"/console/login\?next="))


def test_a_signed_out_visitor_is_sent_to_sign_in_and_then_to_the_page_they_asked_for(page: Page, desk: Desk) -> None:
    accounts(desk)
    page.goto("/console/users")
    expect(page).to_have_url(re.compile(r"/console/login\?next=%2Fconsole%2Fusers$"))
    sign_in(page, "root")
    expect(page.get_by_role("heading", name="Users and roles")).to_be_visible()
    screenshot(page, "users")


def test_repeated_wrong_passwords_lock_the_account(page: Page, desk: Desk) -> None:
    accounts(desk)
    page.goto("/console/login")
    for _ in range(FAILURES_BEFORE_LOCKOUT - 1):
        sign_in(page, "alice", "not the password")
        expect(page.get_by_role("alert")).to_contain_text("The name or the password is not right")
    sign_in(page, "alice", "not the password")
    expect(page.get_by_role("alert")).to_contain_text("this account is locked until")
    sign_in(page, "alice")
    expect(page.get_by_role("alert")).to_contain_text("this account is locked until")
    screenshot(page, "login-locked")


def test_an_agent_gets_403_on_the_admins_page(page: Page, desk: Desk) -> None:
    accounts(desk)
    page.goto("/console/login")
    sign_in(page, "alice")
    expect(page.get_by_role("link", name="Users")).to_have_count(0)
    response = page.goto("/console/users")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Not for your role")).to_be_visible()
    screenshot(page, "forbidden")


def test_a_form_whose_csrf_token_is_missing_is_refused(page: Page, desk: Desk) -> None:
    accounts(desk)
    page.goto("/console/login")
    sign_in(page, "root")
    page.goto("/console/users")
    page.eval_on_selector_all('input[name="csrftoken"]', "inputs => inputs.forEach(input => input.remove())")
    page.get_by_label("Name", exact=True).fill("mallory")
    with page.expect_response(re.compile(r"/console/users/add$")) as sent:
        page.get_by_role("button", name="Add the account").click()
    assert sent.value.status == 403
    expect(page.get_by_role("heading", name="This form was not applied")).to_be_visible()
    screenshot(page, "csrf-refused")
    assert "mallory" not in [account.name for account in desk.accounts.all()]


def test_the_console_pages_have_no_serious_accessibility_violations(page: Page, desk: Desk) -> None:
    accounts(desk)
    page.goto("/console/login")
    assert serious_violations(page) == []
    sign_in(page, "root")
    assert serious_violations(page) == []
    page.goto("/console/users")
    assert serious_violations(page) == []
