"""Status updates and agents' replies reach the page live: delivered through the outbox into the
transcript, pushed by the event stream, and resumed after the last one seen when it reconnects."""

from __future__ import annotations

import asyncio
import threading
import time

from sqlmodel import select
from starlette.testclient import TestClient

from bot.channels.web.channel import WebChannel
from bot.core.tickets.actors import Actor
from bot.desk import Desk
from bot.store.models import OutboxMessage
from tests.channels.web.browser import Browser, ChatPage
from tests.channels.web.conftest import browsing, serving
from tests.chat import file_appeal
from tests.conftest import DeskFactory

ALICE = Actor("cli", "alice")


def events(client: TestClient, after: int | None = None, last_event_id: int | None = None) -> list[tuple[int, str]]:
    """One whole stream (the tests' streams are short): each event's id and its message's HTML."""
    query = "" if after is None else f"?after={after}"
    headers = {} if last_event_id is None else {"Last-Event-ID": str(last_event_id)}
    response = client.get(f"/chat/events{query}", headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    found: list[tuple[int, str]] = []
    for block in response.text.replace("\r\n", "\n").split("\n\n"):
        fields = [line.split(": ", 1) if ": " in line else [line.rstrip(":"), ""] for line in block.splitlines()]
        if ["event", "entry"] in fields:
            data = "\n".join(value for name, value in fields if name == "data")
            found.append((int(dict((name, value) for name, value in fields)["id"]), data))
    return found


def deliver(client: TestClient, desk: Desk, web: WebChannel) -> None:
    """What `appealdesk run`'s delivery worker does, on the server's own event loop."""
    assert client.portal is not None
    client.portal.call(desk.worker(web.senders()).run_once)


def test_an_agents_reply_arrives_through_the_outbox_and_the_event_stream(
    browser: Browser, client: TestClient, desk: Desk, web: WebChannel
) -> None:
    reference = file_appeal(browser)
    seen = max(message.id for message in browser.open().messages)
    desk.tickets.reply(reference, ALICE, "Thanks, <b>we</b> are looking at your logins.")
    deliver(client, desk, web)
    with desk.db.session() as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "user")).one()
        assert row.status == "sent" and row.platform_message_id is not None
    [(entry_id, html)] = events(client, after=seen)
    assert entry_id == int(row.platform_message_id)
    [shown] = ChatPage(html).messages
    assert shown.author == "bot" and "Thanks, <b>we</b> are looking at your logins." in shown.text
    assert "&lt;b&gt;we&lt;/b&gt;" in html


def test_a_reply_delivered_while_the_stream_is_open_arrives_on_it_at_once(make_desk: DeskFactory) -> None:
    """The delivery worker runs on a loop of its own here, and the streams would look again only in a minute."""
    desk = make_desk(outbox_poll_seconds=60)
    with browsing(desk, stream_seconds=3) as browser:
        reference = file_appeal(browser)
        seen = max(message.id for message in browser.open().messages)
        got: list[list[tuple[int, str]]] = []
        listening = threading.Thread(target=lambda: got.append(events(browser.client, after=seen)))
        listening.start()
        time.sleep(0.5)  # the stream has looked once and waits
        desk.tickets.request_info(reference, ALICE, "Please send your travel booking.")
        asyncio.run(desk.worker(browser.web.senders()).run_once())
        listening.join()
    [[(_, html)]] = got
    assert "Please send your travel booking." in ChatPage(html).messages[0].text


def test_a_reconnect_resumes_after_the_last_message_it_got(browser: Browser, client: TestClient) -> None:
    browser.send("/appeal")
    browser.send("olga_dev")
    everything = events(client, after=0)
    ids = [entry_id for entry_id, _ in everything]
    assert ids == sorted(ids) and len(ids) >= 4
    resumed = events(client, after=0, last_event_id=ids[1])
    assert [entry_id for entry_id, _ in resumed] == ids[2:], "Last-Event-ID wins over the page's starting point"


def test_the_page_starts_its_stream_after_what_it_shows(browser: Browser, client: TestClient) -> None:
    browser.send("/status")
    page = client.get("/").text
    after = int(page.split('data-after="', 1)[1].split('"', 1)[0])
    assert after == max(message.id for message in browser.open().messages)
    assert events(client, after=after) == []


def test_a_visitor_without_a_session_gets_no_stream(desk: Desk, web: WebChannel) -> None:
    with serving(desk, web) as stranger:
        assert stranger.get("/chat/events").status_code == 204
