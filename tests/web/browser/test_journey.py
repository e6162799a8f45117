"""In a real browser, the whole way: an appeal filed in the web chat, worked in the console with the keyboard
only, the user's answer arriving live on the ticket page, and the decision arriving live in the chat.

Both pages are open at once on one server, as a freelancer and an agent would have them; nothing is
reloaded to see the other side's message, and the agent signs in and acts by Tab, typing and Enter.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from bot.channels.web.channel import WebChannel
from bot.core.accounts import Role
from bot.desk import Desk
from tests.web.browser.conftest import screenshot, serious_violations
from tests.web.browser.test_sign_in import PASSWORD
from tests.web.browser.test_web_chat import ChatServer, asked, delivering, file_in_chat

REFERENCE = "AD-2026-000001"
MOST_TABS = 60


def tab_to(page: Page, target: Locator) -> None:
    """Presses Tab until `target` has the focus, as a keyboard user moves through the page."""
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"{target} is not reachable by Tab")


def type_into(page: Page, target: Locator, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)


def press_enter_on(page: Page, target: Locator) -> None:
    tab_to(page, target)
    page.keyboard.press("Enter")


def choose_by_keys(page: Page, target: Locator, value: str) -> None:
    """Moves a focused list to `value` with the arrow keys."""
    tab_to(page, target)
    for _ in range(MOST_TABS):
        if target.input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"{value} cannot be chosen in {target} by the arrow keys")


@pytest.fixture
def pages(browser: Browser, desk: Desk) -> Iterator[tuple[Page, Page]]:
    """The freelancer's chat and the agent's console, in two browsers' worth of cookies, on one server."""
    web = WebChannel(desk, desk.settings)
    with ChatServer(desk, web) as server, delivering(desk, web):
        chat_context = browser.new_context(base_url=server.url, bypass_csp=True)
        console_context = browser.new_context(base_url=server.url)
        chat, console = chat_context.new_page(), console_context.new_page()
        for page in (chat, console):
            page.set_default_timeout(15_000)
        yield chat, console
        chat_context.close()
        console_context.close()


def test_an_appeal_from_the_web_chat_is_worked_in_the_console_and_both_sides_see_the_other_live(
    pages: tuple[Page, Page], desk: Desk
) -> None:
    chat, console = pages
    desk.accounts.add("alice", Role.AGENT, PASSWORD)
    chat.goto("/")
    file_in_chat(chat)

    console.goto("/console/login")
    type_into(console, console.get_by_label("Name"), "alice")
    type_into(console, console.get_by_label("Password"), PASSWORD)
    console.keyboard.press("Enter")
    expect(console.get_by_role("heading", name="Queue")).to_be_visible()
    press_enter_on(console, console.get_by_role("link", name=REFERENCE))
    expect(console.get_by_role("heading", name=REFERENCE)).to_be_visible()

    press_enter_on(console, console.get_by_role("button", name="Claim"))
    expect(console.get_by_text("console:alice (you)")).to_be_visible()
    type_into(console, console.get_by_label("Reply to the user"), "Thanks, we are looking at it now.")
    press_enter_on(console, console.get_by_role("button", name="Send the reply"))
    expect(console.get_by_text("Done: reply.")).to_be_visible()
    type_into(console, console.get_by_label("Ask the user for information"), "Please send your travel dates.")
    press_enter_on(console, console.get_by_role("button", name="Request information"))
    expect(console.get_by_text("Waiting for the answer to:")).to_be_visible()

    asked(chat, "Please send your travel dates.")
    with chat.expect_response("**/chat/send"):
        chat.get_by_label("Your message").fill("I flew to Antalya on 10 Nov, back on 19 Nov.")
        chat.get_by_label("Your message").press("Enter")
    conversation = console.get_by_role("region", name="Conversation with the user")
    expect(conversation.get_by_text("I flew to Antalya on 10 Nov, back on 19 Nov.")).to_be_visible()
    banner = console.locator("#live-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("This ticket changed since you opened it")
    assert serious_violations(console) == []
    screenshot(console, "journey-ticket-answer-live")

    press_enter_on(console, banner.get_by_role("link", name="Reload the page"))
    expect(console.locator("#live-banner")).to_be_hidden()
    choose_by_keys(console, console.get_by_label("Outcome"), "reinstated")
    choose_by_keys(console, console.get_by_label("Reason"), "location-or-vpn")
    type_into(console, console.get_by_label("Explanation for the user"), "The logins came from a VPN you used while travelling.")
    type_into(console, console.get_by_label("The facts you relied on"), "Login history 12-19 Nov and your travel dates.")
    press_enter_on(console, console.get_by_role("button", name="Decide"))
    expect(console.get_by_text("Done: resolve.")).to_be_visible()

    expect(chat.get_by_text(f"Your appeal {REFERENCE} has been decided")).to_be_visible()
    screenshot(chat, "journey-web-chat-decision")
