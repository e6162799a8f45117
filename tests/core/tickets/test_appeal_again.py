"""The date from which an upheld user may appeal again, as agents type it on any surface: ahead of today, or no wait."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.core.tickets.appeal_again import parse_appeal_after
from bot.core.tickets.lifecycle import Refused
from bot.desk import Desk
from tests.chat import ChatUser, file_appeal
from tests.core.tickets.test_lifecycle import decide

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2027-03-01", date(2027, 3, 1)),
        ("01.03.2027", date(2027, 3, 1)),
        ("1 March 2027", date(2027, 3, 1)),
        ("March 1", date(2027, 3, 1)),  # no year, already past this year: next year
        ("30 Nov", date(2026, 11, 30)),
        ("today", None),
        ("tomorrow", date(2026, 11, 26)),
        ("in 30 days", date(2026, 12, 25)),
        ("2 weeks", date(2026, 12, 9)),
        ("in 6 months", date(2027, 5, 25)),
        ("now", None),
        (" None ", None),
        ("-", None),
        ("No waiting period", None),
    ],
)
def test_flexible_dates_ahead(typed: str, expected: date | None) -> None:
    assert parse_appeal_after(typed, TODAY) == expected


def test_a_day_already_gone_is_refused_with_the_day_it_read() -> None:
    with pytest.raises(Refused) as refused:
        parse_appeal_after("2026-11-20", TODAY)
    assert refused.value.code == "appeal_again_past" and refused.value.context == {"day": "2026-11-20"}


def test_words_that_are_no_date_are_refused() -> None:
    with pytest.raises(Refused) as refused:
        parse_appeal_after("after the holidays", TODAY)
    assert refused.value.code == "appeal_again_date"


def test_a_decision_reads_the_date_as_typed_and_refuses_one_already_gone(desk: Desk) -> None:
    reference = file_appeal(ChatUser(desk))
    with pytest.raises(Refused) as refused:
        decide(desk, reference, "upheld", may_appeal_again=True, appeal_again_after="20.11.2026")
    assert refused.value.code == "appeal_again_past"
    decided = decide(desk, reference, "upheld", may_appeal_again=True, appeal_again_after="in 30 days")
    assert decided["appeal_again_after"] == datetime(2026, 12, 25, tzinfo=UTC).isoformat()


def test_no_waiting_period_or_a_final_decision_stores_no_date(desk: Desk) -> None:
    first, second = file_appeal(ChatUser(desk, "olga")), file_appeal(ChatUser(desk, "pavel"), account="pavel_dev")
    assert decide(desk, first, "upheld", may_appeal_again=True, appeal_again_after="now")["appeal_again_after"] is None
    final = decide(desk, second, "upheld", may_appeal_again=False, appeal_again_after="2027-03-01")
    assert final["appeal_again_after"] is None
