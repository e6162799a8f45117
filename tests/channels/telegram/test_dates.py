"""The date from which an upheld user may appeal again, as agents type it: ahead of today, or no wait."""

from __future__ import annotations

from datetime import date

import pytest

from bot.channels.telegram.dates import parse_appeal_after
from bot.core.tickets.lifecycle import Refused

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
