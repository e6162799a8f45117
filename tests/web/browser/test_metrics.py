"""In a real browser: a supervisor reads the metrics and the escalated list, with no serious axe-core findings."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from bot.core.accounts import Role
from bot.core.clock import ManualClock
from bot.core.tickets.actors import CONSOLE, Actor
from bot.desk import Desk
from tests.chat import ChatUser, file_appeal
from tests.web.browser.conftest import screenshot, serious_violations
from tests.web.browser.test_sign_in import PASSWORD, sign_in


def test_a_supervisor_reads_the_metrics_and_the_escalated_list(page: Page, desk: Desk, clock: ManualClock) -> None:
    desk.accounts.add("sam", Role.SUPERVISOR, PASSWORD)
    late = file_appeal(ChatUser(desk))
    answered = file_appeal(ChatUser(desk, "ben"), account="ben_dev")
    clock.advance(hours=5)
    desk.tickets.claim(answered, Actor(CONSOLE, "sam", "sam"))
    asker = ChatUser(desk, "eve")
    asker.send("is it allowed to use a vpn when i work?")
    asker.press("Yes, this helped")
    clock.advance(hours=20)
    desk.scheduler.run_once()  # the first appeal's first response is late

    page.goto("/console/login")
    sign_in(page, "sam")
    page.get_by_role("link", name="Metrics").click()
    expect(page.get_by_role("heading", name="Metrics", exact=True)).to_be_visible()
    expect(page.get_by_role("img", name="Time to first response")).to_be_visible()
    expect(page.get_by_role("table", name="Promises missed: the numbers")).to_contain_text("1")
    with page.expect_download() as download:
        page.get_by_role("link", name="By status as CSV").click()
    assert download.value.suggested_filename.startswith("appealdesk-status-appeal-")
    assert serious_violations(page) == []
    screenshot(page, "metrics")

    page.get_by_role("link", name="Escalated").click()
    expect(page.get_by_role("heading", name="Escalated tickets")).to_be_visible()
    expect(page.get_by_role("link", name=late)).to_be_visible()
    expect(page.get_by_role("link", name=answered)).to_have_count(0)
    assert serious_violations(page) == []
    screenshot(page, "escalated")
