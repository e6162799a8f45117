"""From when an upheld user may appeal again, as an agent types it on any surface.

One rule for the command line and every channel's agents' chat. The intake's parse_date refuses the future;
here the future is the point: a day and month without a year that has passed this year means
next year, and a day already gone is refused.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from dateutil import parser as dateparser
from dateutil.relativedelta import relativedelta

from bot.core.tickets.lifecycle import Refused

NO_WAITING = frozenset({"now", "none", "-", "no", "no waiting period", "today"})
_AHEAD = re.compile(r"^(?:in\s+)?(\d{1,3})\s*(days?|d|weeks?|w|months?|m)$")
_UNITS = {"d": relativedelta(days=1), "w": relativedelta(weeks=1), "m": relativedelta(months=1)}
_ISO = re.compile(r"^\d{4}-")
_YEAR = re.compile(r"\b\d{4}\b")


def parse_appeal_after(text: str, today: date) -> date | None:
    """'1 March', '01.03.2027', '2027-03-01', 'in 30 days', '6 months', 'tomorrow'; None when there is no wait."""
    value = text.strip().lower().rstrip(".")
    if value in NO_WAITING:
        return None
    if value == "tomorrow":
        return today + timedelta(days=1)
    ahead = _AHEAD.match(value)
    if ahead:
        return today + _UNITS[ahead.group(2)[0]] * int(ahead.group(1))
    try:
        default = datetime(today.year, today.month, 1)
        parsed = dateparser.parse(value, dayfirst=not _ISO.match(value), default=default).date()
    except (ValueError, OverflowError) as error:
        raise Refused("appeal_again_date", {"text": text.strip()[:40]}) from error
    if not _YEAR.search(value) and parsed < today:
        parsed += relativedelta(years=1)  # "1 March" said in November means next March
    if parsed < today:
        raise Refused("appeal_again_past", {"day": parsed.isoformat()})
    return parsed


def appeal_again_from(text: str | None, now: datetime) -> datetime | None:
    """The start of that day in UTC, as a decision stores it; None for no date or no waiting period."""
    if not text or not text.strip():
        return None
    day = parse_appeal_after(text, now.astimezone(UTC).date())
    return datetime.combine(day, time.min, UTC) if day else None
