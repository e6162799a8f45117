"""In a real browser: an admin edits a knowledge entry and the test box shows the new match, live."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from bot.core.accounts import Role
from bot.desk import Desk
from tests.web.browser.conftest import screenshot, serious_violations
from tests.web.browser.test_sign_in import PASSWORD, sign_in

ENTRY = "ban-evasion"
# The draft is embedded before it is matched: seconds on a loaded machine, so its matches may take a while
MATCHING_MS = 30_000
QUESTION = "what is a zorblat account"


def test_an_admin_edits_an_entry_and_the_test_box_shows_the_new_match(page: Page, desk: Desk) -> None:
    desk.accounts.add("root", Role.ADMIN, PASSWORD)
    page.goto("/console/login")
    sign_in(page, "root")
    page.get_by_role("link", name="Knowledge base").click()
    page.get_by_role("searchbox", name="Search").fill("evasion")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_have_text("1 entry found.")
    assert serious_violations(page) == []
    page.get_by_role("link", name=ENTRY).click()
    expect(page.get_by_role("heading", name=ENTRY)).to_be_visible()

    saved = page.get_by_role("table", name="Saved knowledge base")
    page.get_by_label("A question a user might ask").press_sequentially(QUESTION)
    expect(saved).to_be_visible()  # typed, not sent: htmx asked the server for the matches
    assert not saved.locator("tr.this").count()
    text = page.get_by_label("Entry text (front matter and sections, as in the knowledge files)")
    text.fill(text.input_value().replace("keywords: [", "keywords: [zorblat, ", 1))
    page.get_by_label("A question a user might ask").press("End")
    page.get_by_label("A question a user might ask").press_sequentially("?")
    draft = page.get_by_role("table", name="With your text saved")
    expect(draft.locator("tr.this").first).to_contain_text(ENTRY, timeout=MATCHING_MS)
    expect(draft.locator("tbody tr").first).to_have_class("this")
    expect(page.get_by_role("region", name="Problems")).to_contain_text("No problems")
    expect(page.get_by_text("Telegram, as sent")).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, "kb-editor")

    page.get_by_label("Change note (the history shows it)").fill("zorblat is a word users use")
    page.get_by_role("button", name="Save as a new revision").click()
    expect(page.get_by_role("status")).to_contain_text("Saved as revision 2")
    page.get_by_label("A question a user might ask").press_sequentially(QUESTION)
    expect(page.get_by_role("table", name="Saved knowledge base").locator("tbody tr").first).to_have_class(
        "this", timeout=MATCHING_MS
    )
    revision = desk.knowledge.revision(ENTRY)
    assert revision is not None and (revision.author, revision.change) == ("root", "zorblat is a word users use")


def test_an_admin_creates_an_entry_then_retires_it(page: Page, desk: Desk) -> None:
    desk.accounts.add("root", Role.ADMIN, PASSWORD)
    page.goto("/console/login")
    sign_in(page, "root")
    page.get_by_role("link", name="Knowledge base").click()
    page.get_by_role("link", name="New entry").click()
    expect(page.get_by_role("heading", name="New entry")).to_be_visible()
    page.get_by_label("Id (lowercase words").fill("handmade-crafts")
    text = page.get_by_label("Entry text (front matter and sections, as in the knowledge files)")
    text.fill(
        text.input_value()
        .replace("id: \n", "id: handmade-crafts\n")
        .replace("title:\n", "title: Selling handmade crafts outside the marketplace\n")
        .replace("category:\n", "category: conduct\n")
        .replace("keywords: []", "keywords: [handmade crafts, craft fair]")
        .replace(
            "questions: []",
            "questions:\n  - may I sell my crafts at a craft fair\n  - can I keep an etsy shop\n  - is a weekend market stall allowed",
        )
        .replace("## Answer\n", "## Answer\n\nYes: what you sell outside the platform is yours.\n")
    )
    expect(page.get_by_role("region", name="Problems")).to_contain_text("No problems")
    assert serious_violations(page) == []
    screenshot(page, "kb-new-entry")
    page.get_by_label("Change note (the history shows it)").fill("a rule users ask about")
    page.get_by_role("button", name="Create the entry").click()
    expect(page.get_by_role("heading", name="handmade-crafts")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Saved as revision 1")

    page.get_by_label("Why it is retired (the history shows it)").fill("merged into another entry")
    page.get_by_label("Yes, stop offering handmade-crafts to users").check()
    page.get_by_role("button", name="Retire the entry").click()
    expect(page.get_by_role("status")).to_contain_text("Retired in revision 2 by root")
    assert serious_violations(page) == []
    screenshot(page, "kb-retired")
    desk.knowledge.refresh()
    assert desk.knowledge.entry("handmade-crafts") is None
