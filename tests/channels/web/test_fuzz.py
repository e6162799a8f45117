"""Fuzzing the web chat: hostile and oversize text, forged buttons and CSRF tokens, files of the wrong type.

Each example is a new visitor posting through the real routes (Starlette's test client over the product's
app). Whatever they send, the server never answers 5xx: a post it accepts is answered in the transcript,
one it cannot take (no session, a forged CSRF token) is refused with a 4xx and stores nothing, and what the
user wrote is shown as text, never as markup, in the page.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from bot.channels.web.channel import WebChannel
from bot.channels.web.session import COOKIE
from bot.core.engine import START_BUTTONS
from bot.core.events import without_nul
from bot.desk import Desk
from tests.channels.web.browser import Browser
from tests.channels.web.conftest import stored
from tests.fuzzing import FUZZ, SentFile, hostile_text, kept_as, oversize_text, sent_files

# What the bot's own HTML never contains: found in a page, it came unescaped from what a user sent.
RAW_MARKUP = ("<img", "<script>alert", "<a href='https://x'>")


def visitor(client: TestClient, web: WebChannel) -> Browser:
    """A new visitor: no cookie yet, so the page gives them a chat of their own."""
    client.cookies.clear()
    return Browser(client, web)


def shown_raw(browser: Browser) -> list[str]:
    html = browser.client.get("/").text
    return [markup for markup in RAW_MARKUP if markup in html]


def answered(browser: Browser) -> bool:
    """The last turn's replies are in the transcript, after everything the user sent."""
    messages = browser.open().messages
    return bool(browser.last) and messages[-1].author == "bot"


@FUZZ
@given(text=hostile_text() | oversize_text())
def test_any_text_is_answered_and_shown_as_the_user_typed_it(client: TestClient, web: WebChannel, text: str) -> None:
    browser = visitor(client, web)

    browser.send(text)

    assert answered(browser)
    said = [message.text for message in browser.page.messages if message.author == "user"]
    assert said == ([without_nul(text)] if without_nul(text) else [])
    assert shown_raw(browser) == []


PAYLOADS = st.sampled_from(["go:appeal", "go:ask", "go:", "intake:", ":", ""]) | st.text(max_size=80)
MESSAGE_IDS = st.none() | st.sampled_from(["0", "1", "-1", "99999999999999999999", "m1"]) | st.text(max_size=20)


@FUZZ
@given(payload=PAYLOADS, message=MESSAGE_IDS)
def test_a_forged_button_is_answered_never_a_server_error(
    client: TestClient, web: WebChannel, payload: str, message: str | None
) -> None:
    browser = visitor(client, web)

    browser.submit({"payload": payload} | ({"message": message} if message is not None else {}))

    assert answered(browser)
    assert shown_raw(browser) == []


@FUZZ
@given(which=st.integers(min_value=0, max_value=20))
def test_a_button_of_a_message_the_conversation_has_left_behind_is_answered(
    client: TestClient, web: WebChannel, which: int
) -> None:
    browser = visitor(client, web)
    browser.press("Start appeal")
    browser.send("user_1_dev")
    asked = browser.open().messages[-1]
    if asked.buttons:
        browser.submit({"payload": asked.buttons[0][1], "message": str(asked.id)})
    shown = [(str(message.id), payload) for message in browser.open().messages[:-1] for _, payload in message.buttons]
    old = [*shown, *(("0", button.payload) for row in START_BUTTONS for button in row)]  # the greeting's, again
    message_id, payload = old[which % len(old)]

    browser.submit({"payload": payload, "message": message_id})

    assert answered(browser)


@FUZZ
@given(csrf=st.none() | st.text(max_size=80), cookie=st.sampled_from(["own", "none", "forged", "another's"]))
def test_a_post_without_its_own_csrf_token_or_session_is_refused_and_stores_nothing(
    client: TestClient, web: WebChannel, desk: Desk, csrf: str | None, cookie: str
) -> None:
    browser = visitor(client, web)
    browser.send("hello")
    before = stored(desk)
    token = browser.page.csrf if cookie == "another's" else csrf
    if cookie == "another's":
        visitor(client, web)  # another browser's cookie, with this page's token
    elif cookie == "none":
        client.cookies.clear()
    elif cookie == "forged":
        client.cookies.set(COOKIE, "eyJjaGF0IjoiYWRtaW4ifQ.forged.signature")

    response = client.post("/chat/send", data={"text": "hello again", "nonce": "forged-nonce-1"} | _field(token))

    assert response.status_code == 403
    assert "<" not in response.text and response.headers["content-type"].startswith("text/plain")
    assert stored(desk) == before


@FUZZ
@given(files=st.lists(sent_files(), min_size=1, max_size=3), text=st.sampled_from(["", "my evidence"]))
def test_a_file_of_any_type_is_answered_and_kept_only_as_what_its_content_is(
    client: TestClient, web: WebChannel, desk: Desk, files: list[SentFile], text: str
) -> None:
    browser = visitor(client, web)
    browser.send("/appeal")

    uploads = [("files", (sent.name or "file", sent.content.data, sent.declared)) for sent in files]
    browser.submit({"text": text}, uploads)

    assert answered(browser)
    assert shown_raw(browser) == []
    for sent in files:
        assert kept_as(desk, sent.content) <= sent.content.kept_as, f"{sent.name!r} ({sent.declared!r})"


def _field(token: str | None) -> dict[str, str]:
    return {} if token is None else {"csrf": token}
