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


def parse_date(text: str, today: date) -> date:
    """'20.11', 'nov 20', '2026-11-20', 'yesterday', '3 days ago'; never in the future."""
    value = text.strip().lower().rstrip(".")
    if value in _RELATIVE:
        return today - timedelta(days=_RELATIVE[value])
    ago = _AGO.match(value)
    if ago:
        amount = int(ago.group(1)) * (7 if ago.group(2).startswith("w") else 1)
        return today - timedelta(days=amount)
    default = datetime(today.year, today.month, 1)
    try:
        parsed = dateparser.parse(value, dayfirst=not re.match(r"^\d{4}-", value), default=default).date()
    except (ValueError, OverflowError) as error:
        raise Invalid("date") from error
    if not re.search(r"\b\d{4}\b", value) and parsed > today:
        parsed = parsed.replace(year=parsed.year - 1)  # "20 dec" said in January means last December
    if parsed > today:
        raise Invalid("date_future")
    if parsed < today - timedelta(days=365 * 15):
        raise Invalid("date_old")
    return parsed


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
