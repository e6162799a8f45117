"""An agent's decision in the making: the steps it goes through, in the core's order, each checked as it is given.

outcome → reason → explanation → facts (when the ticket's kind needs them) → may appeal again (upheld
only) → from when. A surface that asks step by step (questions in an agents' chat, the web console)
keeps the draft between the steps, in `agent_prompts.draft`, and asks whatever `next_step` says; a
form that asks everything at once (a modal, the command line) fills it in one go. Either way the
ticket service decides from a complete draft, so every surface checks a decision the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from bot.core.tickets.decision import check_explanation, check_facts
from bot.core.tickets.lifecycle import ENDINGS, REASON_CATEGORIES, Ending, Refused

# The appeal-again date of "No waiting period", as an agent may type it too.
NO_WAITING_PERIOD = "now"


class Step(StrEnum):
    """A step of a decision, in the order they are asked."""

    OUTCOME = "outcome"
    REASON = "reason"
    EXPLANATION = "explanation"
    FACTS = "facts"
    APPEAL_AGAIN = "appeal_again"
    APPEAL_AFTER = "appeal_after"


# The steps a surface asks by buttons (a choice), not as text.
CHOICES = frozenset({Step.OUTCOME, Step.REASON, Step.APPEAL_AGAIN})


class ResolutionDraft(BaseModel):
    """What an agent has decided so far; `appeal_again_after` is the date as typed, read when deciding."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    outcome: str | None = None
    reason: str | None = None
    explanation: str | None = None
    facts: str | None = None
    may_appeal_again: bool | None = None
    appeal_again_after: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _kind_of_an_older_draft(cls, data: Any) -> Any:
        """Drafts kept before the kind was (a pending prompt across an upgrade) name it by their outcome."""
        if isinstance(data, dict) and "kind" not in data and data.get("outcome"):
            kinds = [kind for kind, ending in ENDINGS.items() if data["outcome"] in ending.outcomes]
            return {**data, "kind": kinds[0]} if kinds else data
        return data

    @model_validator(mode="after")
    def _known(self) -> ResolutionDraft:
        """A stored draft holds only what its steps would have let through."""
        if self.kind not in ENDINGS:
            raise ValueError(f"no ticket kind {self.kind!r}")
        if self.outcome is not None and self.outcome not in self.ending.outcomes:
            raise ValueError(f"no outcome {self.outcome!r} for {self.kind}")
        if self.reason is not None and self.reason not in REASON_CATEGORIES:
            raise ValueError(f"no reason {self.reason!r}")
        return self

    @classmethod
    def start(cls, kind: str) -> ResolutionDraft:
        """A new decision; a question's outcome and reason are known in advance, so it starts at the answer."""
        ending = ENDINGS[kind]
        if ending.answer_only:
            return cls(kind=kind, outcome=ending.outcomes[0], reason=ending.default_reason)
        return cls(kind=kind)

    @property
    def ending(self) -> Ending:
        return ENDINGS[self.kind]

    @property
    def answer_only(self) -> bool:
        """Deciding is just writing the answer (a question): surfaces word the explanation as the answer."""
        return self.ending.answer_only

    @property
    def next_step(self) -> Step | None:
        """What to ask next, or None when the draft is complete."""
        if self.outcome is None:
            return Step.OUTCOME
        if self.reason is None:
            return Step.REASON
        if self.explanation is None:
            return Step.EXPLANATION
        if self.ending.needs_facts and self.facts is None:
            return Step.FACTS
        if self.outcome == "upheld" and self.may_appeal_again is None:
            return Step.APPEAL_AGAIN
        if self.may_appeal_again and self.appeal_again_after is None:
            return Step.APPEAL_AFTER
        return None

    def choices(self, step: Step) -> tuple[str, ...]:
        """The values a choice step takes."""
        if step is Step.OUTCOME:
            return self.ending.outcomes
        if step is Step.REASON:
            return REASON_CATEGORIES
        return ()

    def answer(self, step: Step, value: str | bool) -> ResolutionDraft:
        """The draft with `step` answered, checked as the decision will be; Refused says what is wrong."""
        if step is Step.OUTCOME and value not in self.ending.outcomes:
            raise Refused("outcome", {"outcome": value, "kind": self.kind, "allowed": list(self.ending.outcomes)})
        if step is Step.REASON and value not in REASON_CATEGORIES:
            raise Refused("reason", {"reason": value, "allowed": list(REASON_CATEGORIES)})
        if step is Step.EXPLANATION:
            value = check_explanation(str(value))
        if step is Step.FACTS:
            value = check_facts(str(value))
        if step is Step.APPEAL_AGAIN and not isinstance(value, bool):
            raise Refused("appeal_again_missing")
        if step is Step.APPEAL_AFTER:
            value = str(value).strip() or NO_WAITING_PERIOD
        return ResolutionDraft.model_validate({**self.model_dump(), _FIELD[step]: value})

    def fill(self, answers: Mapping[Step, str | bool | None]) -> ResolutionDraft:
        """Every remaining step answered at once (a form, the command line), checked in step order.

        A step left empty takes its default where it has one (a question's outcome and reason; no
        waiting period) and is refused otherwise, as the step-by-step surfaces would refuse it.
        """
        draft = self
        while (step := draft.next_step) is not None:
            value = answers.get(step)
            if value is None or value == "":
                value = draft._default(step)
            draft = draft.answer(step, value)
        return draft

    def _default(self, step: Step) -> str:
        if step is Step.OUTCOME and self.answer_only:
            return self.ending.outcomes[0]
        if step is Step.REASON and self.ending.default_reason:
            return self.ending.default_reason
        if step is Step.APPEAL_AFTER:
            return NO_WAITING_PERIOD
        return ""  # refused as missing

    def answers(self) -> dict[Step, str | bool]:
        """The steps answered so far, to fill a fresh draft of the ticket's kind with."""
        return {step: value for step in Step if (value := getattr(self, _FIELD[step])) is not None}


_FIELD = {
    Step.OUTCOME: "outcome",
    Step.REASON: "reason",
    Step.EXPLANATION: "explanation",
    Step.FACTS: "facts",
    Step.APPEAL_AGAIN: "may_appeal_again",
    Step.APPEAL_AFTER: "appeal_again_after",
}
