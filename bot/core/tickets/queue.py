"""The agents' queue: which tickets a listing picks, and what it may show without opening them.

A listing shows what an agents' card shows (reference, state, requester's name, a subject with
personal data redacted as on the cards). Personal answers stay out unless the agent asks for them,
and then each listed ticket gets an audit event, like `tickets show`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from bot.core.tickets.lifecycle import OPEN_STATUSES, STATUSES
from bot.core.tickets.redaction import Redaction, personal_values

ListFilter = Literal["open", "new", "in_review", "awaiting_user", "resolved", "all"]  # "open", STATUSES, "all"
LIST_FILTERS: tuple[str, ...] = get_args(ListFilter)
SUBJECT_KEYS = ("explanation", "question")
SUBJECT_CHARS = 70


def statuses_for(wanted: str) -> tuple[str, ...]:
    """The statuses a `--status` filter stands for; ValueError names the valid filters."""
    if wanted not in LIST_FILTERS:
        raise ValueError(f"unknown status filter {wanted!r}; choose one of: {', '.join(LIST_FILTERS)}")
    if wanted == "all":
        return STATUSES
    return OPEN_STATUSES if wanted == "open" else (wanted,)


def subject(answers: dict[str, Any]) -> str:
    """The first line of what the user wrote: the appeal's explanation or the question."""
    for key in SUBJECT_KEYS:
        value = (answers.get(key) or {}).get("value")
        if isinstance(value, str) and value.strip():
            first = value.strip().splitlines()[0].strip()
            return first if len(first) <= SUBJECT_CHARS else first[: SUBJECT_CHARS - 1].rstrip() + "…"
    return ""


def without_personal(view: dict[str, Any], answers: dict[str, Any], placeholder: str) -> dict[str, Any]:
    """The ticket as a card shows it: no account, no personal or free-text answers, the rest redacted.

    `view` carries its `subject`; only choice answers (a value from a fixed list) are kept.
    """
    safe: dict[str, Any] = Redaction(placeholder, personal_values(answers)).value(view)
    safe["account"] = placeholder if view.get("account") else None
    safe["files"] = [{**item, "caption": None} for item in safe["files"]]
    safe["evidence"] = [
        row if row["choice_labels"] and not row["personal"] else {**row, "value": None, "choice_labels": []}
        for row in safe["evidence"]
    ]
    return safe


def queue_row(view: dict[str, Any], now: datetime) -> dict[str, Any]:
    """What the readable queue prints per ticket; times as seconds, for the template to word."""
    created = datetime.fromisoformat(view["created_at"])
    due = datetime.fromisoformat(view["response_due"])
    return {
        **view,
        "age_seconds": (now - created).total_seconds(),
        "overdue_seconds": (now - due).total_seconds() if view["status"] != "resolved" and now > due else 0,
    }
