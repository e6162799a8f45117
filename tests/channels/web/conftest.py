"""The web chat on the product's HTTP server, through Starlette's test client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from bot.channels.web.channel import WebChannel
from bot.desk import Desk
from bot.store.models import OutboxMessage, TranscriptEntry
from bot.web.app import create_app
from tests.channels.web.browser import Browser

# Short streams, so a test reads a whole one; the browser resumes the next one with Last-Event-ID.
STREAM_SECONDS = 0.5


@pytest.fixture
def web(desk: Desk) -> WebChannel:
    return WebChannel(desk, desk.settings, stream_seconds=STREAM_SECONDS)


def serving(desk: Desk, web: WebChannel) -> TestClient:
    """The product's HTTP application with the web chat's routes, as `appealdesk run` serves it."""
    return TestClient(create_app(desk, web.routes()), base_url="http://appealdesk.test")


def stored(desk: Desk) -> tuple[int, int]:
    """How many messages the core queued and the transcript keeps."""
    with desk.db.session() as session:
        return len(session.exec(select(OutboxMessage)).all()), len(session.exec(select(TranscriptEntry)).all())


@contextmanager
def browsing(desk: Desk, stream_seconds: float = STREAM_SECONDS) -> Iterator[Browser]:
    """A visitor of the web chat of a desk with settings of its own."""
    web = WebChannel(desk, desk.settings, stream_seconds=stream_seconds)
    with serving(desk, web) as client:
        yield Browser(client, web)


@pytest.fixture
def client(desk: Desk, web: WebChannel) -> Iterator[TestClient]:
    with serving(desk, web) as client:
        yield client


@pytest.fixture
def browser(client: TestClient, web: WebChannel) -> Browser:
    return Browser(client, web)


@pytest.fixture
def new_browser(desk: Desk, web: WebChannel) -> Iterator[Callable[[], Browser]]:
    """Another visitor, with a cookie jar of its own."""
    clients: list[TestClient] = []

    def make() -> Browser:
        client = serving(desk, web)
        clients.append(client.__enter__())
        return Browser(client, web)

    yield make
    for client in clients:
        client.__exit__(None, None, None)
