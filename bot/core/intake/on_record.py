"""What the platform has on record for the account the user names, shown before the next question.

The platform's latest account action answers some of the intake's questions itself: which ones, and
with which of their choices, is decided here alone. Those answers are kept like the user's, marked as
the platform's (`FROM_PLATFORM`), and the steps are not asked; the user can still change them on the
summary, and a changed answer is theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from bot.core.events import Reply
from bot.core.intake.steps import FROM_PLATFORM
from bot.core.intake.submission import record
from bot.core.knowledge.entry import Entry
from bot.core.platform.records import latest_action
from bot.store.models import AccountAction

# The intake's "what happened" choice each platform action is; a warning or a lift restricts nothing.
WHAT_HAPPENED = {
    "temporary_hold": "hold",
    "feature_restriction": "restricted",
    "permanent_suspension": "permanent",
}
# The intake's "which reason were you given" choice for each of the agents' reason categories.
REASON_GIVEN = {
    "location-or-vpn": "irregular",
    "identity": "identity",
    "multiple-accounts": "multiple",
    "account-sharing": "tos",
    "off-platform-payment": "payments",
    "feedback-manipulation": "tos",
    "misrepresentation": "tos",
    "prohibited-work": "tos",
    "intellectual-property": "tos",
    "conduct": "tos",
    "payment-risk": "payments",
    "account-security": "irregular",
    "our-error": "other",
    "user-request": "other",
}

# The steps a record may answer (`answers_from`): a one-page form lets them stay empty for it.
ANSWERABLE = ("what_happened", "notice_date", "reason_given")

EntryLookup = Callable[[str], Entry | None]


def answers_from(action: AccountAction, at: str) -> dict[str, dict[str, Any]]:
    """The intake answers the record gives, each marked as the platform's and naming the record.

    Every record dates the platform's word to the user, so the notice date is never asked once there
    is one (it only applies if the user then says they are restricted); what happened and the reason
    given come only from an action that restricts the account."""
    extra = {"from": FROM_PLATFORM, "account_action": action.id}
    answers = {"notice_date": record(action.taken_at.date().isoformat(), at, extra)}
    what = WHAT_HAPPENED.get(action.action)
    if what is not None:
        answers["what_happened"] = record(what, at, extra)
        answers["reason_given"] = record(REASON_GIVEN.get(action.reason_category, "other"), at, extra)
    return answers


@dataclass(frozen=True)
class Found:
    """The platform's latest record for the account, and the intake answers it gives."""

    action: AccountAction
    answers: dict[str, dict[str, Any]]


class OnRecord:
    """Looks the account up and tells the user what the platform has on record, for the guided
    conversation and the one-page form alike."""

    def __init__(self, entry: EntryLookup, platform: str) -> None:
        self.entry = entry
        self.platform = platform

    def find(self, session: Session, account_key: str, at: str) -> Found | None:
        """The record for the account the user named, or None when the platform has told us nothing."""
        action = latest_action(session, account_key)
        return None if action is None else Found(action, answers_from(action, at))

    def rules(self, action: AccountAction) -> list[dict[str, str]]:
        """The rule entries the record names, each as its title and the first paragraph of its answer."""
        entries = [entry for entry in map(self.entry, action.rule_entries) if entry is not None]
        return [
            {"id": entry.id, "title": entry.title, "answer": entry.public_answer(self.platform).split("\n\n")[0]}
            for entry in entries
        ]

    def told(self, found: Found, filled: list[str], sent: bool = False) -> Reply:
        """The short message shown before the next question, or with the reference once a form is
        `sent`; `filled` are the steps the record answered."""
        action = found.action
        return Reply(
            "intake/on_record.j2",
            {
                "action": action.action,
                "reason_category": action.reason_category,
                "explanation": action.public_explanation,
                "taken_at": action.taken_at.isoformat(),
                "rules": self.rules(action),
                "filled": filled,
                "sent": sent,
            },
        )
