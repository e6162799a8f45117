"""Every post gets an answer: a forged or stale one is refused kindly before the core, anything else
is the core's to answer, once, however often the browser sends it."""

from __future__ import annotations

import pytest

from bot.channels.web.channel import WebChannel
from bot.channels.web.session import COOKIE
from bot.desk import Desk
from tests.channels.web.browser import Browser
from tests.channels.web.conftest import serving, stored


@pytest.mark.parametrize("token", ["forged", "fälscht"])
def test_a_post_without_the_pages_token_is_refused_and_reaches_nobody(browser: Browser, desk: Desk, token: str) -> None:
    response = browser.client.post("/chat/send", data={"text": "/appeal", "csrf": token})
    assert response.status_code == 403
    assert "This page is too old to send messages. Please reload it" in response.text
    assert stored(desk) == (0, 0)


def test_a_post_without_a_session_is_refused(desk: Desk, web: WebChannel) -> None:
    with serving(desk, web) as stranger:
        response = stranger.post("/chat/send", data={"text": "/appeal"})
    assert response.status_code == 403 and "reload" in response.text
    assert stored(desk) == (0, 0)


def test_a_cookie_that_is_not_signed_by_us_starts_a_conversation_of_its_own(
    browser: Browser, desk: Desk, web: WebChannel
) -> None:
    browser.send("/appeal")
    with serving(desk, web) as forger:
        forger.cookies.set(COOKIE, browser.chat_id)
        page = forger.get("/")
    assert "/appeal" not in page.text and "I help freelancers" in page.text
    assert web.chat.sessions.chat_in(page.cookies[COOKIE]) != browser.chat_id


def test_a_post_larger_than_files_can_be_is_refused_unread(browser: Browser, desk: Desk) -> None:
    limit = desk.settings.evidence_max_bytes * desk.settings.evidence_max_files
    response = browser.client.post(
        "/chat/send",
        content=b"x",
        headers={"Content-Length": str(limit + 2 * 1024 * 1024), "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 413
    assert "Please send them one at a time, each up to 10.0 MB." in response.text


def test_an_empty_message_is_answered(browser: Browser) -> None:
    replies = browser.send("")
    assert [reply.template for reply in replies] == ["errors/empty.j2"]


def test_a_form_sent_twice_is_handled_once(browser: Browser, desk: Desk) -> None:
    fields = {"csrf": browser.page.csrf, "nonce": "same-form-1234", "text": "/appeal"}
    for _ in range(2):
        assert browser.client.post("/chat/send", data=fields, headers={"Accept": "application/json"}).status_code == 204
    messages = browser.open().messages
    assert [message.text for message in messages].count("/appeal") == 1
    assert sum("(1/" in message.text for message in messages) == 1


def test_without_scripts_a_post_goes_back_to_the_page(browser: Browser) -> None:
    response = browser.client.post(
        "/chat/send", data={"csrf": browser.page.csrf, "text": "/help"}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert "/help" in browser.text()


def test_a_message_too_long_is_refused_kindly(browser: Browser, desk: Desk) -> None:
    replies = browser.send("x" * (desk.settings.max_message_chars + 1))
    assert [reply.template for reply in replies] == ["errors/too_long.j2"]


def test_the_page_is_never_cached_nor_framed(browser: Browser) -> None:
    response = browser.client.get("/")
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()


def test_a_message_the_core_fails_on_still_gets_an_answer(browser: Browser, desk: Desk, monkeypatch: object) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(desk.engine, "handle_turn", broken)  # type: ignore[attr-defined]
    response = browser.client.post(
        "/chat/send", data={"csrf": browser.page.csrf, "text": "hello"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 500
    assert "Sorry, something went wrong on our side" in response.text and "/human" in response.text
