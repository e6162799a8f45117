"""The conversation's memo is a typed model, stored in the JSON shape the column has always held."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.memo import ConversationMemo, NextText
from bot.store.models import Conversation


def conversation(memo: dict[str, object]) -> Conversation:
    return Conversation(user_id=1, memo=memo, updated_at=datetime(2026, 12, 1, tzinfo=UTC))


def test_a_memo_written_before_the_model_reads_back_typed() -> None:
    memo = ConversationMemo.of(conversation({"last_question": "Is a VPN allowed?", "next_text": "for_a_person"}))
    assert memo.last_question == "Is a VPN allowed?"
    assert memo.next_text is NextText.FOR_A_PERSON
    assert not memo.comforted and memo.typed_choices == []


def test_only_what_is_remembered_is_stored() -> None:
    row = conversation({})
    memo = ConversationMemo.of(row)
    memo.asked("x" * 3000)
    memo.typed_choices = ["go:appeal"]
    memo.keep(row)
    assert row.memo == {"last_question": "x" * 2000, "typed_choices": ["go:appeal"]}

    memo.last_question, memo.typed_choices = None, []
    memo.keep(row)
    assert row.memo == {}
