"""In a real browser: a freelancer appeals in the web chat with a file, and the decision arrives live.

The chat is served as `appealdesk run` serves it (the product's application with the web chat's
routes); the reviewer's side is the core's ticket service, and the delivery worker runs beside the
server, as the runtime's does.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from playwright.sync_api import Browser, Locator, Page, expect

from bot.channels.web.channel import WebChannel
from bot.core.tickets.actors import Actor
from bot.desk import Desk
from bot.web.app import create_app
from tests.chat import EXPLANATION
from tests.web.browser.conftest import Server, screenshot, serious_violations

ALICE = Actor("cli", "alice")


class ChatServer(Server):
    """The product's HTTP application with the web chat's routes, as `appealdesk run` serves it."""

    def __init__(self, desk: Desk, web: WebChannel) -> None:
        super().__init__(desk)
        app = create_app(desk, web.routes())
        self.uvicorn = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.uvicorn.run, name="web-chat-under-test", daemon=True)


@pytest.fixture
def web(desk: Desk) -> WebChannel:
    return WebChannel(desk, desk.settings)


@contextmanager
def delivering(desk: Desk, web: WebChannel) -> Iterator[None]:
    """The runtime's delivery worker for the web chat, on a loop of its own, until the test ends."""
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    worker = desk.worker(web.senders())
    thread = threading.Thread(target=lambda: loop.run_until_complete(worker.run(stop, 0.2)), daemon=True)
    thread.start()
    try:
        yield
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
        loop.close()


@pytest.fixture
def chat(browser: Browser, desk: Desk, web: WebChannel) -> Iterator[Page]:
    with ChatServer(desk, web) as server, delivering(desk, web):
        # The page allows no inline script; the accessibility check is injected as one.
        context = browser.new_context(base_url=server.url, bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
        context.close()


def asked(page: Page, step: str | None = None) -> Locator:
    """The bot's latest message, once it says `step` (the question's number, "(3/")."""
    latest = page.locator("#transcript > li.bot").last
    if step is not None:
        expect(latest).to_contain_text(step)
    return latest


def press(page: Page, label: str, step: str | None = None) -> None:
    """Taps an option of the latest question, as a person does once it is on the screen."""
    with page.expect_response("**/chat/send"):
        asked(page, step).get_by_role("button", name=label, exact=True).click()


def write(page: Page, text: str, step: str) -> None:
    """Answers the question `step` once it is asked, and sends it with Enter."""
    asked(page, step)
    with page.expect_response("**/chat/send"):
        page.get_by_label("Your message").fill(text)
        page.get_by_label("Your message").press("Enter")


def file_in_chat(page: Page) -> None:
    """Files the appeal a person would, answer by answer, with a PDF, from the greeting to its reference."""
    press(page, "Start appeal")
    write(page, "olegz_dev", "(1/")
    press(page, "Permanently suspended", "(2/")
    write(page, "yesterday", "(3/")
    press(page, "No notice received", "(4/")
    press(page, "No reason given", "(5/")
    write(page, "2017", "(6/")
    press(page, "Top Rated Plus", "(7/")
    press(page, "Skip", "(8/")
    press(page, "VPN or travel", "(9/")
    expect(asked(page).get_by_role("button", name="✓ VPN or travel")).to_be_visible()
    press(page, "Done", "(9/")
    write(page, EXPLANATION, "(10/")
    press(page, "That's all", "characters so far")
    asked(page, "(11/")
    page.get_by_label("Attach files").set_input_files(
        files=[{"name": "booking.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 booking"}]
    )
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Saved: booking.pdf")).to_be_visible()
    press(page, "Done, no more files", "file(s) saved")
    press(page, "Here in this chat", "(12/")
    press(page, "Yes, I agree", "(13/")
    press(page, "Send appeal")
    expect(page.get_by_text("Sent. Your reference is AD-2026-000001.")).to_be_visible()


def test_an_appeal_with_a_file_is_filed_in_the_web_chat_and_the_decision_arrives_live(chat: Page, desk: Desk) -> None:
    page = chat
    page.goto("/")
    expect(page.get_by_role("heading", name="WorkMarket Trust and Safety")).to_be_visible()
    screenshot(page, "web-chat-welcome")
    file_in_chat(page)
    assert serious_violations(page) == []

    desk.tickets.claim("AD-2026-000001", ALICE)
    desk.tickets.resolve(
        "AD-2026-000001",
        ALICE,
        "reinstated",
        "location-or-vpn",
        "The logins came from a VPN you used while travelling.",
        "Login history 12-19 Nov and your travel booking.",
    )
    decided = page.get_by_text("Your appeal AD-2026-000001 has been decided")
    expect(decided).to_be_visible()
    screenshot(page, "web-chat-decision")

    page.reload()
    expect(page.get_by_text("Your appeal AD-2026-000001 has been decided")).to_be_visible()
    expect(page.get_by_text("Sent. Your reference is AD-2026-000001.")).to_be_visible()
