"""Browser tests: the real HTTP application under uvicorn on 127.0.0.1, driven by Playwright in Debian's Chromium.

The server runs in a thread of the test process over the test's own database (SQLite, and PostgreSQL
when it is configured), so a test can make accounts and tickets through the Desk while the browser
works the console. No browser is ever downloaded: Chromium is the system's (`.ci/run` installs it).
Each test gets a fresh browser context (no cookies); screenshots go to var/screenshots/.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from bot.config import PROJECT_ROOT
from bot.desk import Desk
from bot.web.app import create_app

SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
SERIOUS = ("serious", "critical")
START_SECONDS = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """The product's HTTP application over one Desk, listening until the test ends."""

    def __init__(self, desk: Desk) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(desk), host="127.0.0.1", port=self.port, log_level="warning")
        self.uvicorn = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.uvicorn.run, name="console-under-test", daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + START_SECONDS
        while not self.uvicorn.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the HTTP server under test did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.uvicorn.should_exit = True
        self.thread.join(timeout=START_SECONDS)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Per module, not per session: while it runs, Playwright's event loop is the main thread's, and
    the asynchronous tests after the browser tests need that thread's loop free again."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is not installed: apt-get install -y chromium (.ci/run does it)"
    browser = playwright.chromium.launch(executable_path=chromium, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def server(desk: Desk) -> Iterator[Server]:
    with Server(desk) as running:
        yield running


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def screenshot(page: Page, name: str) -> Path:
    """Saves the whole page as var/screenshots/NAME.png (the README and reviewers look at these)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core (vendored from npm) run on the page as it is: the serious and critical findings."""
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        {"id": item["id"], "impact": item["impact"], "nodes": [node["target"] for node in item["nodes"]]}
        for item in found
        if item["impact"] in SERIOUS
    ]
