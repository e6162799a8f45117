"""What the agents' chats may read of a ticket: everyone in them reads every message, so personal data stays out.

The core redacts every agent-facing view it queues (cards, their thread entries, alerts), so no
channel can forget to. Personal answers (steps marked `personal`) are replaced whole; everything
else a user or an agent wrote is searched for the values this user gave in those answers (their
account, profile handle, e-mail, earnings band), wherever they quote them, file names included,
and for patterns: e-mail addresses, phone numbers, IBANs and profile links. An agent who needs the
data opens the ticket (`tickets show`, or "View details" in an agents' chat), and that view is logged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from bot.core.intake.steps import STEP_BY_KEY

EMAIL = re.compile(r"[^\s@<>()\[\]\"',;:]+@[^\s@<>()\[\]\"',;:]+\.[A-Za-z]{2,}")
# In full, as printed (groups of four) or not: a partly masked IBAN is still an IBAN.
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
PHONE = re.compile(r"\+?\d[\d\s()-]{7,}\d")
# A link with a path names a page of someone (a profile, a booking); a bare domain names nobody.
LINK = re.compile(r"\b(?:https?://|www\.)[^\s/<>\"']+/[^\s<>\"']*[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)
PATTERNS = (EMAIL, LINK, IBAN)
MIN_PHONE_DIGITS = 9
MIN_VALUE_CHARS = 3

# Keys of a ticket's view and of its events that hold no free text: they are shown as they are.
STRUCTURE = frozenset(
    {
        "reference",
        "kind",
        "status",
        "outcome",
        "reason_category",
        "assignee",
        "created_at",
        "updated_at",
        "first_response_due",
        "resolution_due",
        "response_due",
        "next_update_by",
        "resolved_at",
        "escalated_at",
        "appeal_again_after",
        "received_at",
        "at",
        "key",
        "label",
        "choice_labels",
        "personal",
        "sha256",
        "answers_sha256",
        "checklist",
        "suggested_entries",
        "id",
        "mime_type",
        "size",
        "source",
        "channel",
        "user_id",
        "display_name",
        "undeliverable",
        "actor",
        "action",
        "from",
        "to",
    }
)


def personal_values(answers: Mapping[str, Any]) -> list[str]:
    """What this user gave in personal answers, as they may quote it: the value, the account's handle,
    and for a choice the words that name it (those with an amount: "over 100k", not "private")."""
    values: list[str] = []
    for key, answer in answers.items():
        step = STEP_BY_KEY.get(key)
        if step is None or not step.personal or not isinstance(answer, dict):
            continue
        value = answer.get("value")
        choice = step.choice(value) if isinstance(value, str) else None
        if choice is not None:
            values.extend(alias for alias in choice.aliases if any(ch.isdigit() for ch in alias))
            continue
        if isinstance(value, str):
            values.append(value)
        handle = str(answer.get("key") or "").partition(":")[2]
        if handle:
            values.append(handle)
    return [value for value in values if len(value.strip()) >= MIN_VALUE_CHARS]


class Redaction:
    def __init__(self, placeholder: str, values: Iterable[str] = ()) -> None:
        self.placeholder = placeholder
        quoted = sorted({value.strip() for value in values if value.strip()}, key=len, reverse=True)
        # Not inside a longer word or number; "_", "-" and "." separate, as in "olegz_dev_passport.pdf".
        self._values = (
            re.compile("|".join(rf"(?<![^\W_]){re.escape(value)}(?![^\W_])" for value in quoted), re.IGNORECASE)
            if quoted
            else None
        )

    def text(self, text: str) -> str:
        if self._values is not None:
            text = self._values.sub(self.placeholder, text)
        for pattern in PATTERNS:
            text = pattern.sub(self.placeholder, text)
        return PHONE.sub(self._phone, text)

    def _phone(self, match: re.Match[str]) -> str:
        digits = sum(ch.isdigit() for ch in match.group(0))
        return self.placeholder if digits >= MIN_PHONE_DIGITS else match.group(0)

    def value(self, value: Any) -> Any:
        """Any text in a view, however deep, except the keys that hold structure."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return {key: self._item(key, item) for key, item in value.items()}
        return value

    def _item(self, key: str, item: Any) -> Any:
        if key in STRUCTURE:
            return item
        if key == "evidence" and isinstance(item, list):
            return [self._answer(row) for row in item]
        return self.value(item)

    def _answer(self, row: Any) -> Any:
        """A personal answer is hidden whole; any other is searched like free text."""
        if isinstance(row, dict) and row.get("personal"):
            return {**row, "value": self.placeholder, "choice_labels": []}
        return self.value(row)


def for_agents(context: Mapping[str, Any], answers: Mapping[str, Any], placeholder: str) -> dict[str, Any]:
    """The context of a card, a thread entry or an alert, as the agents' chats may read it."""
    safe: dict[str, Any] = Redaction(placeholder, personal_values(answers)).value(dict(context))
    return safe
