"""The agents' queue: which statuses a filter means, and what a listing shows without being asked."""

from __future__ import annotations

import pytest

from bot.core.tickets.actors import Actor
from bot.core.tickets.lifecycle import STATUSES
from bot.core.tickets.queue import LIST_FILTERS, statuses_for
from bot.desk import Desk
from tests.chat import ChatUser, file_appeal

ALICE = Actor("cli", "alice")


def test_the_filters_are_open_every_status_and_all() -> None:
    assert ("open", *STATUSES, "all") == LIST_FILTERS
    assert statuses_for("all") == STATUSES and statuses_for("open") == ("new", "in_review", "awaiting_user")
    with pytest.raises(ValueError, match="choose one of: open, new, in_review, awaiting_user, resolved, all"):
        statuses_for("closed")


def test_a_listing_hides_personal_answers_and_logs_only_when_they_are_shown(desk: Desk) -> None:
    reference = file_appeal(ChatUser(desk), account="olga_dev")
    (plain,) = desk.tickets.list(ALICE, placeholder="[hidden]")
    rows = {row["key"]: row for row in plain["evidence"]}
    assert plain["account"] == "[hidden]" and rows["account"]["value"] is None
    assert rows["explanation"]["value"] is None and rows["badge"]["value"] == "top_plus"
    assert plain["subject"].startswith("I was travelling in Turkey")

    (full,) = desk.tickets.list(ALICE, personal=True)
    assert {row["key"]: row for row in full["evidence"]}["account"]["value"] == "olga_dev"
    events = desk.tickets.show(reference, ALICE)["events"]
    assert [(event["actor"], event["action"]) for event in events if event["action"] != "viewed"][-1] == (
        "cli:alice",
        "listed",
    )
