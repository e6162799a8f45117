"""Live console pages: a stream says `changed` when the tickets a page shows changed, and reads are not changes."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from bot.core.tickets.actors import CONSOLE, Actor
from bot.desk import Desk
from bot.web.console.live import changes
from tests.chat import ChatUser, file_appeal, pdf
from tests.web.console.conftest import Console

ALICE = Actor(CONSOLE, "alice", "alice")


def _told(newest: list[int | None], seen: int) -> list[tuple[str | None, str]]:
    """What a stream says while the newest change is each of `newest` in turn, one per poll."""
    answers = iter(newest)

    async def latest() -> dict[str, Any] | None:
        found = next(answers, newest[-1])
        return None if found is None else {"id": found, "reference": "AD-2026-000001", "actor": "user:olga", "action": "user_message"}

    async def run() -> list[tuple[str | None, str]]:
        said = changes(latest, seen, poll_seconds=0.01, stream_seconds=0.01 * (len(newest) + 0.5))
        return [(event.event, event.data or "") async for event in said if event.event]

    return asyncio.run(run())


def test_a_stream_says_changed_once_per_new_change_after_the_one_the_page_saw() -> None:
    told = _told([None, 4, 4, 7, 7], seen=3)
    assert [(name, json.loads(data)["id"]) for name, data in told] == [("changed", 4), ("changed", 7)]
    assert _told([5, 5], seen=5) == []


def test_views_previews_and_downloads_are_not_changes_but_a_users_answer_is(desk: Desk) -> None:
    user = ChatUser(desk)
    reference = file_appeal(user, files=(pdf(),))
    desk.tickets.claim(reference, ALICE)
    desk.tickets.request_info(reference, ALICE, "Please send your travel dates.")
    asked = desk.tickets.latest_change(ALICE, reference)
    assert asked is not None and asked["action"] == "request_info"
    desk.tickets.show(reference, ALICE)
    desk.tickets.download(reference, desk.tickets.show(reference, ALICE)["files"][0]["id"], ALICE)
    assert desk.tickets.latest_change(ALICE, reference) == asked
    user.send("I was in Turkey from 10 to 19 Nov.")
    answered = desk.tickets.latest_change(ALICE, reference)
    assert answered is not None and answered["id"] > asked["id"] and answered["actor"].startswith("user:")
    assert desk.tickets.latest_change(ALICE) == answered


def test_pages_name_their_stream_and_the_change_they_were_rendered_after(console: Console, accounts: Desk) -> None:
    reference = file_appeal(ChatUser(accounts))
    newest = accounts.tickets.latest_change(ALICE)
    assert newest is not None
    console.sign_in("alice")
    queue: Any = console.get("/console/")
    assert f'/console/live/queue?after={newest["id"]}"' in queue.text and 'id="queue-live" data-live-part' in queue.text
    page: Any = console.get(f"/console/tickets/{reference}")
    assert f'/console/live/tickets/{reference}?after={newest["id"]}"' in page.text
    assert 'id="live-banner"' in page.text and 'id="conversation-live" data-live-part' in page.text and 'id="facts-live" data-live-part' in page.text


def test_streams_are_for_signed_in_agents_and_known_tickets(console: Console, accounts: Desk) -> None:
    assert console.get("/console/live/queue").status_code == 303  # type: ignore[attr-defined]
    console.sign_in("alice")
    assert console.get("/console/live/tickets/AD-2026-999999").status_code == 404  # type: ignore[attr-defined]
