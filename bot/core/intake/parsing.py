"""Forgiving parsers for intake answers. Each returns the clean value or raises Invalid with a hint."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from urllib.parse import urlparse

from dateutil import parser as dateparser


class Invalid(ValueError):
    """The answer cannot be used; `hint` names the template fragment that says what is needed."""

    def __init__(self, hint: str) -> None:
        super().__init__(hint)
        self.hint = hint


EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}$")
USERNAME = re.compile(r"^@?[A-Za-z0-9][A-Za-z0-9_.~-]{2,63}$")
YES = {"yes", "y", "ok", "okay", "sure", "yep", "yeah", "agree", "i agree", "1", "da", "si", "oui", "ja"}
NO = {"no", "n", "nope", "2", "disagree", "i do not agree", "i don't agree"}


MAX_ACCOUNT_CHARS = 200


def parse_account(text: str) -> dict[str, str]:
    """A username, profile URL or account e-mail; `key` identifies the account across users."""
    value = text.strip().strip("<>").strip()
    if len(value) > MAX_ACCOUNT_CHARS:
        raise Invalid("account_long")
    if EMAIL.match(value):
        return {"kind": "email", "value": value, "key": "email:" + value.casefold()}
    if "://" in value or value.lower().startswith("www."):
        url = urlparse(value if "://" in value else "https://" + value)
        segments = [segment for segment in url.path.split("/") if segment]
        if url.netloc and segments:
            return {"kind": "url", "value": value, "key": "profile:" + segments[-1].lstrip("~").casefold()}
        raise Invalid("account_url")
    if USERNAME.match(value):
        return {"kind": "username", "value": value.lstrip("@"), "key": "profile:" + value.lstrip("@~").casefold()}
    raise Invalid("account")


_RELATIVE = {"today": 0, "yesterday": 1, "day before yesterday": 2}
_AGO = re.compile(r"^(\d{1,3})\s*(day|days|d|week|weeks|w)\s*ago$")


class Ambiguous(Exception):
    """A numeric date that reads two ways ("11/05": 11 May or 5 November); the user chooses."""

    def __init__(self, readings: tuple[date, date]) -> None:
        super().__init__("ambiguous date")
        self.readings = readings


# Day and month as numbers. With a dot it is always day first ("20.11"); with / or - it can be either.
_NUMERIC = re.compile(r"^(\d{1,2})\s*([./-])\s*(\d{1,2})(?:\s*[./-]\s*(\d{4}|\d{2}))?$")


def parse_date(text: str, today: date, day_first: bool | None = None) -> date:
    """'20.11', 'nov 20', '2026-11-20', 'yesterday', '3 days ago'; never in the future.

    '11/05' is read in the order `day_first` gives (from the user's locale); without one, and if
    both readings are possible, it raises Ambiguous.
    """
    value = text.strip().lower().rstrip(".")
    if value in _RELATIVE:
        return today - timedelta(days=_RELATIVE[value])
    ago = _AGO.match(value)
    if ago:
        amount = int(ago.group(1)) * (7 if ago.group(2).startswith("w") else 1)
        return today - timedelta(days=amount)
    numeric = _NUMERIC.match(value)
    if numeric:
        return _numeric_date(numeric, True if numeric.group(2) == "." else day_first, today)
    default = datetime(today.year, today.month, 1)
    try:
        parsed = dateparser.parse(value, dayfirst=not re.match(r"^\d{4}-", value), default=default).date()
    except (ValueError, OverflowError) as error:
        raise Invalid("date") from error
    return _checked(parsed, bool(re.search(r"\b\d{4}\b", value)), today)


def _numeric_date(numeric: re.Match[str], day_first: bool | None, today: date) -> date:
    """The usable reading of '11/05' in the given order, or in either: Ambiguous when both are usable."""
    first, second, year = int(numeric.group(1)), int(numeric.group(3)), numeric.group(4)
    full_year = (2000 + int(year) if len(year) == 2 else int(year)) if year else today.year
    orders = {True: [(first, second)], False: [(second, first)], None: [(first, second), (second, first)]}
    readings: list[date] = []
    problem = Invalid("date")
    for day, month in orders[day_first]:
        try:
            reading = _checked(date(full_year, month, day), year is not None, today)
        except Invalid as invalid:  # before ValueError, which it is
            problem = invalid
            continue
        except ValueError:
            continue
        if reading not in readings:
            readings.append(reading)
    if len(readings) == 2:
        raise Ambiguous((readings[0], readings[1]))
    if not readings:
        raise problem
    return readings[0]


def _checked(parsed: date, year_given: bool, today: date) -> date:
    if not year_given and parsed > today:
        parsed = parsed.replace(year=parsed.year - 1)  # "20 dec" said in January means last December
    if parsed > today:
        raise Invalid("date_future")
    if parsed < today - timedelta(days=365 * 15):
        raise Invalid("date_old")
    return parsed


_AMOUNT = re.compile(
    r"^(?:about|around|approx\.?|approximately|roughly|circa|ca\.?|almost|nearly|maybe|~|≈)?\s*"
    r"(?:[$€£]|usd|eur|gbp)?\s*(\d[\d,.\s]*?)\s*(k|thousand|m|million|mio)?\s*"
    r"(?:[$€£]|usd|eur|gbp|dollars?|euros?|pounds?)?\s*(?:in total|total)?$",
    re.IGNORECASE,
)


def parse_amount(text: str) -> float | None:
    """'about 15k', '$15,000', '15 000 usd', 'around 20 thousand' as a number; None if it is not an amount."""
    match = _AMOUNT.match(text.strip().rstrip("!.").strip())
    if not match:
        return None
    digits = re.sub(r"\s", "", match.group(1))
    separators = [ch for ch in digits if ch in ",."]
    if separators:
        last = max(digits.rfind(","), digits.rfind("."))
        grouped = all(len(group) == 3 for group in re.split(r"[,.]", digits)[1:])
        if grouped and (len(set(separators)) == 1 or len(digits) - last - 1 == 3):
            digits = re.sub(r"[,.]", "", digits)  # 15,000 or 15.000: thousands
        else:
            digits = re.sub(r"[,.]", "", digits[:last]) + "." + digits[last + 1 :]  # 1,5 or 1.5 or 1.234,5
    try:
        amount = float(digits)
    except ValueError:
        return None
    scale = (match.group(2) or "").lower()
    return amount * (1_000_000 if scale in ("m", "million", "mio") else 1000 if scale in ("k", "thousand") else 1)


def parse_year(text: str, today: date) -> str:
    """'2017', 'March 2017', 'since 2015': the year (and month when given) the user joined."""
    value = text.strip()
    match = re.search(r"\b(19|20)\d{2}\b", value)
    if not match:
        raise Invalid("member_since")
    year = int(match.group(0))
    if year > today.year or year < 2000:
        raise Invalid("member_since")
    return value[:60]


def parse_email(text: str) -> str:
    value = text.strip().strip("<>")
    if len(value) > MAX_ACCOUNT_CHARS or not EMAIL.match(value):
        raise Invalid("email")
    return value


def parse_free_text(text: str, minimum: int, maximum: int) -> str:
    value = text.strip()
    if len(value) < minimum:
        raise Invalid("too_short")
    if len(value) > maximum:
        raise Invalid("too_long")
    return value


def is_yes(text: str) -> bool:
    return text.strip().lower().rstrip("!.") in YES


def is_no(text: str) -> bool:
    return text.strip().lower().rstrip("!.") in NO
