"""The intake's answers so far are a typed draft, stored in the JSON shape the column has always held."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.core.intake.draft import IntakeDraft
from bot.store.models import Conversation

ACCOUNT = {"value": "olegz_dev", "at": "2026-12-01T10:00:00+00:00", "sha256": "ab"}


def conversation(answers: dict[str, Any]) -> Conversation:
    return Conversation(user_id=1, answers=answers, updated_at=datetime(2026, 12, 1, tzinfo=UTC))


def test_a_stored_draft_reads_back_with_its_ticked_options_and_parts_apart() -> None:
    row = conversation({"account": ACCOUNT, "_selection": {"triggers": ["vpn"]}, "_parts": {"explanation": ["a"]}})
    draft = IntakeDraft.of(row)
    assert draft.given == {"account": ACCOUNT}
    assert draft.value("account") == "olegz_dev" and draft.value("email") is None
    assert draft.selected("triggers") == ["vpn"] and draft.parts_of("explanation") == ["a"]

    draft.keep(row)
    assert row.answers == {"account": ACCOUNT, "_selection": {"triggers": ["vpn"]}, "_parts": {"explanation": ["a"]}}


def test_an_answer_forgets_the_steps_ticked_options_and_parts() -> None:
    row = conversation({"_selection": {"triggers": ["vpn"]}, "_parts": {"triggers": ["a"]}})
    draft = IntakeDraft.of(row)
    draft.answered("triggers", {"value": ["vpn"], "at": "2026-12-01T10:00:00+00:00", "sha256": "cd"})
    draft.keep(row)
    assert row.answers == {"triggers": {"value": ["vpn"], "at": "2026-12-01T10:00:00+00:00", "sha256": "cd"}}


def test_starting_parts_over_leaves_no_empty_list() -> None:
    draft = IntakeDraft.of(conversation({"_parts": {"explanation": ["a", "b"]}}))
    draft.keep_parts("explanation", [])
    assert draft.parts == {}
