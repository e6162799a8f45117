"""Personal data an agents' chat does not need: e-mail addresses and phone numbers are masked.

The shared card template also hides answers marked personal (the account, the contact e-mail);
an agent who needs them opens the ticket, and that view is logged.
"""

from __future__ import annotations

import re
from typing import Any

EMAIL = re.compile(r"[^\s@<>()\[\]\"',;:]+@[^\s@<>()\[\]\"',;:]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"\+?\d[\d\s()-]{7,}\d")
MIN_PHONE_DIGITS = 9


def hide_contacts(value: Any, placeholder: str) -> Any:
    """Masks e-mail addresses and phone numbers in a string (or a list of them)."""
    if isinstance(value, list):
        return [hide_contacts(item, placeholder) for item in value]
    if not isinstance(value, str):
        return value
    value = EMAIL.sub(placeholder, value)
    return PHONE.sub(
        lambda match: placeholder if sum(ch.isdigit() for ch in match.group(0)) >= MIN_PHONE_DIGITS else match.group(0),
        value,
    )


def redact_ticket(view: dict[str, Any], placeholder: str) -> dict[str, Any]:
    safe = dict(view)
    safe["evidence"] = [{**row, "value": hide_contacts(row.get("value"), placeholder)} for row in view["evidence"]]
    safe["files"] = [{**item, "name": hide_contacts(item.get("name"), placeholder)} for item in view["files"]]
    for key in ("account", "pending_question", "public_explanation", "facts"):
        safe[key] = hide_contacts(view.get(key), placeholder)
    return safe


def redact_event(event: dict[str, Any], placeholder: str) -> dict[str, Any]:
    return {**event, **{key: hide_contacts(event.get(key), placeholder) for key in ("public_message", "internal_note")}}
