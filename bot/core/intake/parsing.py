"""Forgiving parsers for intake answers. Each returns the clean value or raises Invalid with a hint.

`PARSERS` holds the one parser of each step kind, used by the guided conversation and by the
one-page form alike, so an answer is read the same way wherever it is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from dateutil import parser as dateparser
from rapidfuzz import fuzz, process

from bot.core.intake.steps import Step, StepKind


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


# ---- one parser per step kind ------------------------------------------------------------------

Raw = str | Sequence[str]  # typed text, or the values ticked on a form
Labeler = Callable[[str], str]


@dataclass(frozen=True)
class Reading:
    """What reading an answer depends on besides the answer: the day, how the user writes dates, label texts."""

    today: date
    label: Labeler
    day_first: bool | None = None


@dataclass(frozen=True)
class Parsed:
    """An answer's clean value, and what else to keep with it (an account's key and kind)."""

    value: Any
    extra: dict[str, Any] = field(default_factory=dict)


def match_choice(step: Step, text: str, label: Labeler, only_none: bool = False) -> str | None:
    """The choice a text names: its number, an amount in its range, its value, label or alias, or a near typo."""
    value = text.strip().lower().rstrip(".!")
    options = [step.none_choice] if only_none and step.none_choice else list(step.choices)
    if not value or not options:
        return None
    if not only_none and value.isdigit() and 1 <= int(value) <= len(options):
        return options[int(value) - 1].value
    amount = parse_amount(value) if not only_none else None
    in_range = step.choice_for_amount(amount) if amount is not None else None
    if in_range is not None:
        return in_range.value
    names: dict[str, str] = {}
    for option in options:
        names[label(option.label).lower()] = option.value
        names[option.value.lower()] = option.value
        for alias in option.aliases:
            names[alias.lower()] = option.value
    if value in names:
        return names[value]
    best = process.extractOne(value, list(names), scorer=fuzz.ratio, score_cutoff=85)
    return names[best[0]] if best else None


def _text(raw: Raw) -> str:
    return raw if isinstance(raw, str) else " ".join(raw)


def _account(step: Step, raw: Raw, reading: Reading) -> Parsed:
    account = parse_account(_text(raw))
    return Parsed(account["value"], {"key": account["key"], "kind": account["kind"]})


def _choice(step: Step, raw: Raw, reading: Reading) -> Parsed:
    value = match_choice(step, _text(raw), reading.label)
    if value is None:
        raise Invalid("choice")
    return Parsed(value)


def _multi(step: Step, raw: Raw, reading: Reading) -> Parsed:
    """Ticked values, or a typed list: "vpn, new device", "1 and 3", "1 3"."""
    if isinstance(raw, str):
        parts = [part for part in raw.replace(";", ",").replace(" and ", ",").split(",") if part.strip()]
        if len(parts) == 1 and all(token.isdigit() for token in raw.split()):
            parts = raw.split()
    else:
        parts = list(raw)
    values = [match_choice(step, part, reading.label) for part in parts]
    if not parts or None in values:
        raise Invalid("multi")
    return Parsed(list(dict.fromkeys(value for value in values if value)))


def _date(step: Step, raw: Raw, reading: Reading) -> Parsed:
    return Parsed(parse_date(_text(raw), reading.today, reading.day_first).isoformat())


def _year(step: Step, raw: Raw, reading: Reading) -> Parsed:
    return Parsed(parse_year(_text(raw), reading.today))


def _email(step: Step, raw: Raw, reading: Reading) -> Parsed:
    return Parsed(parse_email(_text(raw)))


def _free_text(step: Step, raw: Raw, reading: Reading) -> Parsed:
    """Free text, or the step's "none" choice ("No notice received") when the text names it."""
    text = _text(raw)
    if step.none_choice and match_choice(step, text, reading.label, only_none=True):
        return Parsed(step.none_choice.value)
    return Parsed(parse_free_text(text, step.min_length, step.max_length))


def _consent(step: Step, raw: Raw, reading: Reading) -> Parsed:
    """Only a yes is consent: "yes", "ok", or the ticked box (its value is "yes")."""
    if any(is_yes(item) for item in ([raw] if isinstance(raw, str) else raw)):
        return Parsed(True)
    raise Invalid("consent")


Parser = Callable[[Step, Raw, Reading], Parsed]
PARSERS: Mapping[StepKind, Parser] = {
    "account": _account,
    "choice": _choice,
    "multi": _multi,
    "date": _date,
    "year": _year,
    "email": _email,
    "text": _free_text,
    "consent": _consent,
}


def parse_answer(step: Step, raw: Raw, reading: Reading) -> Parsed:
    """The answer to one step, or Invalid with the hint to show (Ambiguous for a date that reads two ways).

    Files are not parsed (they are accepted as evidence), and the summary is no question.
    """
    return PARSERS[step.kind](step, raw, reading)
