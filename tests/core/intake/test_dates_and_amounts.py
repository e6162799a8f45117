"""Answers people write their own way: dates that read two ways, and amounts instead of ranges."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.core.intake.locales import day_first
from bot.desk import Desk
from bot.store.models import Conversation
from tests.chat import ChatUser


def test_an_ambiguous_date_is_confirmed_with_both_readings_as_buttons(desk: Desk) -> None:
    user = _at_notice_date(ChatUser(desk))
    user.send("11/05")
    assert user.templates() == ["intake/which_date.j2"]
    assert "Mon 11 May 2026 or Thu 05 Nov 2026" in user.text()
    assert user.labels()[:2] == ["Mon 11 May 2026", "Thu 05 Nov 2026"]
    user.press("Thu 05 Nov 2026")
    assert user.templates() == ["intake/steps/notice_text.j2"]
    assert _answer(desk, "notice_date") == "2026-11-05"


def test_the_user_may_answer_the_confirmation_in_words(desk: Desk) -> None:
    user = _at_notice_date(ChatUser(desk))
    user.send("11-05")
    user.send("11 may")
    assert _answer(desk, "notice_date") == "2026-05-11"


@pytest.mark.parametrize(("locale", "expected"), [("en-GB", "2026-05-11"), ("en-US", "2026-11-05"), ("de", "2026-05-11")])
def test_a_locale_that_settles_the_order_is_followed_without_asking(desk: Desk, locale: str, expected: str) -> None:
    user = _at_notice_date(ChatUser(desk, locale=locale))
    user.send("11/05")
    assert user.templates() == ["intake/steps/notice_text.j2"]
    assert _answer(desk, "notice_date") == expected


def test_a_language_written_both_ways_still_asks(desk: Desk) -> None:
    user = _at_notice_date(ChatUser(desk, locale="en"))
    user.send("11/05")
    assert user.templates() == ["intake/which_date.j2"]


@pytest.mark.parametrize(("typed", "expected"), [("20.11", "2026-11-20"), ("25/12", "2025-12-25"), ("11/11", "2026-11-11")])
def test_dates_that_read_only_one_way_are_not_asked_about(desk: Desk, typed: str, expected: str) -> None:
    user = _at_notice_date(ChatUser(desk))
    user.send(typed)
    assert user.templates() == ["intake/steps/notice_text.j2"]
    assert _answer(desk, "notice_date") == expected


def test_locales_know_their_date_order() -> None:
    assert [day_first(tag) for tag in ("en-GB", "en-US", "de", "ru", "ja", "pt-br")] == [
        True,
        False,
        True,
        True,
        False,
        True,
    ]
    assert day_first("en") is None and day_first(None) is None and day_first("not a locale!") is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("about 15k", "10k_100k"),
        ("15000", "10k_100k"),
        ("$15k", "10k_100k"),
        ("around 20 thousand", "10k_100k"),
        ("15,000 USD", "10k_100k"),
        ("$500", "lt1k"),
        ("roughly 2.5k", "1k_10k"),
        ("250k", "gt100k"),
        ("2", "1k_10k"),
    ],
)
def test_amounts_in_free_words_map_to_the_offered_ranges(desk: Desk, typed: str, expected: str) -> None:
    user = _at_earnings(ChatUser(desk))
    user.send(typed)
    assert user.templates() == ["intake/steps/triggers.j2"]
    assert _answer(desk, "earnings") == expected


def test_something_that_is_not_an_amount_is_still_refused(desk: Desk) -> None:
    user = _at_earnings(ChatUser(desk))
    user.send("quite a lot")
    assert user.templates() == ["intake/invalid.j2", "intake/steps/earnings.j2"]


def _answer(desk: Desk, key: str) -> object:
    with desk.db.session() as session:
        return session.exec(select(Conversation)).one().answers[key]["value"]


def _at_notice_date(user: ChatUser) -> ChatUser:
    user.send("/appeal")
    user.send("olga_dev")
    user.press("Temporary hold")
    return user


def _at_earnings(user: ChatUser) -> ChatUser:
    _at_notice_date(user)
    user.send("yesterday")
    user.press("No notice received")
    user.press("No reason given")
    user.send("skip")
    user.press("Skip")
    return user
