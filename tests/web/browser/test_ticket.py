"""In a real browser: an agent works a ticket from the queue to the decision, and a second agent's stale form is refused."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from bot.core.accounts import Role
from bot.core.tickets.actors import CONSOLE, Actor
from bot.desk import Desk
from tests.chat import ChatUser, file_appeal
from tests.web.browser.conftest import Server, screenshot, serious_violations
from tests.web.browser.test_sign_in import PASSWORD, sign_in


def signed_in(page: Page, name: str) -> Page:
    page.goto("/console/login")
    sign_in(page, name)
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    return page


def test_an_agent_works_an_appeal_from_the_queue_to_the_decision(page: Page, desk: Desk) -> None:
    desk.accounts.add("alice", Role.AGENT, PASSWORD)
    user = ChatUser(desk, display_name="Olga Petrova")
    reference = file_appeal(user, account="olegz_dev")
    signed_in(page, "alice")
    assert serious_violations(page) == []
    screenshot(page, "queue")
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", name=reference)).to_be_visible()
    expect(page.get_by_text("olegz_dev")).to_have_count(0)
    page.get_by_role("button", name="Show personal data").click()
    expect(page.get_by_text("olegz_dev").first).to_be_visible()
    page.get_by_role("link", name="Back to the queue").click()
    page.get_by_role("link", name=reference).click()

    page.get_by_role("button", name="Claim").click()
    expect(page.get_by_role("status")).to_have_text("Done: claim.")
    page.get_by_label("Reply to the user").fill("Thanks, we are looking at it now.")
    page.get_by_role("button", name="Send the reply").click()
    page.get_by_label("Ask the user for information").fill("Please send your travel booking.")
    page.get_by_role("button", name="Request information").click()
    expect(page.get_by_text("Waiting for the answer to:")).to_be_visible()
    user.send("I flew to Antalya on 10 Nov, back on 19 Nov.")
    page.reload()
    conversation = page.get_by_role("region", name="Conversation with the user")
    expect(conversation.get_by_text("I flew to Antalya on 10 Nov, back on 19 Nov.")).to_be_visible()
    page.get_by_label("Internal note (only agents read it)").fill("Dates match the login history.")
    page.get_by_role("button", name="Add the note").click()
    notes = page.get_by_role("region", name="Internal notes")
    expect(notes.get_by_text("Dates match the login history.")).to_be_visible()
    expect(conversation.get_by_text("Dates match the login history.")).to_have_count(0)
    assert serious_violations(page) == []
    screenshot(page, "ticket")

    page.get_by_label("Outcome").select_option("reinstated")
    page.get_by_label("Reason").select_option("location-or-vpn")
    page.get_by_label("Explanation for the user").fill("The logins came from a VPN you used while travelling.")
    page.get_by_label("The facts you relied on").fill("Login history 12-19 Nov and your travel dates.")
    page.get_by_role("button", name="Decide").click()
    expect(page.get_by_role("status")).to_have_text("Done: resolve.")
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    screenshot(page, "ticket-decided")
    assert desk.tickets.show(reference, Actor(CONSOLE, "alice", "alice"))["outcome"] == "reinstated"


def test_a_second_agents_claim_shows_live_and_a_stale_form_is_refused_with_what_changed(browser: Browser, server: Server, desk: Desk) -> None:
    for name in ("alice", "sam"):
        desk.accounts.add(name, Role.AGENT, PASSWORD)
    reference = file_appeal(ChatUser(desk))
    alice = signed_in(browser.new_context(base_url=server.url).new_page(), "alice")
    sam = signed_in(browser.new_context(base_url=server.url).new_page(), "sam")
    for page in (alice, sam):
        page.goto(f"/console/tickets/{reference}")
    sam.get_by_role("button", name="Claim").click()
    expect(sam.get_by_text("console:sam (you)")).to_be_visible()
    facts = alice.locator("#facts-live")  # alice's page, not reloaded, follows sam's claim
    expect(facts).to_contain_text("console:sam")
    expect(alice.locator("#live-banner")).to_contain_text("console:sam: claim")
    expect(alice.get_by_role("button", name="Claim")).to_be_visible()  # the forms are as loaded: a stale one is refused

    alice.get_by_label("Reply to the user").fill("We are on it.")
    alice.get_by_role("button", name="Send the reply").click()
    expect(alice.get_by_role("alert")).to_contain_text("changed after you opened it (console:sam: claim)")
    expect(alice.get_by_label("Reply to the user")).to_have_value("We are on it.")
    expect(alice.get_by_text("console:sam", exact=True).first).to_be_visible()
    screenshot(alice, "ticket-stale-form")
    alice.context.close()
    sam.context.close()
