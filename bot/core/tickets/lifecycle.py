"""The ticket lifecycle as an explicit state machine.

new → in_review → awaiting_user → in_review → resolved, with reopen. A public reply and an internal
note keep the status. Anything else is refused with a reason an agent can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OPEN_STATUSES = ("new", "in_review", "awaiting_user")
STATUSES = (*OPEN_STATUSES, "resolved")


@dataclass(frozen=True)
class Ending:
    """How a ticket of one kind is decided: its outcomes, and what the decision must carry.

    An appeal's user is told which facts the decision relied on; a question's answer is the
    explanation itself, so it needs no facts, and its reason is known in advance.
    """

    outcomes: tuple[str, ...]
    needs_facts: bool
    default_reason: str | None = None

    @property
    def answer_only(self) -> bool:
        """One outcome, a known reason and no facts: deciding is just writing the answer."""
        return len(self.outcomes) == 1 and self.default_reason is not None and not self.needs_facts


ENDINGS: dict[str, Ending] = {
    "appeal": Ending(("reinstated", "upheld", "withdrawn"), needs_facts=True),
    "question": Ending(("answered",), needs_facts=False, default_reason="question-answered"),
}
OUTCOMES: dict[str, tuple[str, ...]] = {kind: ending.outcomes for kind, ending in ENDINGS.items()}
REASON_CATEGORIES = (
    "location-or-vpn",
    "identity",
    "multiple-accounts",
    "account-sharing",
    "off-platform-payment",
    "feedback-manipulation",
    "misrepresentation",
    "prohibited-work",
    "intellectual-property",
    "conduct",
    "payment-risk",
    "account-security",
    "our-error",
    "user-request",
    "question-answered",
    "other",
)


def category_label(reason: str) -> str:
    """The label (templates/labels.yaml) agents read a reason category by; templates name it the same
    way, `label("category." ~ reason)`. The name itself stays for the command line, the API and the data."""
    return f"category.{reason}"

# action -> (statuses it may start from, status it leads to; None keeps the status)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "claim": (("new",), "in_review"),
    "reassign": (("in_review", "awaiting_user"), None),
    "request_info": (("new", "in_review"), "awaiting_user"),
    "user_reply": (("awaiting_user",), "in_review"),
    "resolve": (OPEN_STATUSES, "resolved"),
    "reopen": (("resolved",), "in_review"),
    "reply": (OPEN_STATUSES, None),
    "note": (STATUSES, None),
    "escalate": (OPEN_STATUSES, None),
}


@dataclass
class Refused(Exception):
    """An action that cannot be taken; `code` picks the sentence in templates/agents/refusal.j2."""

    code: str
    context: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        details = ", ".join(f"{key}={value}" for key, value in self.context.items())
        return f"{self.code}: {details}" if details else self.code


def target_status(action: str, current: str) -> str:
    """The status after `action`, or Refused if the action is not allowed from `current`."""
    allowed, target = TRANSITIONS[action]
    if current not in allowed:
        raise Refused("transition", {"action": action, "status": current, "allowed": list(allowed)})
    return target or current
