"""The guided intake's answers so far, typed (kept as JSON in `conversations.answers`).

The column keeps the shape it always had, so no row needs migrating: each step's answer record
under the step's key, the options ticked on a multi-choice step under `_selection`, and the parts
of an answer sent in parts under `_parts`, until the step is answered.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from bot.core.intake.steps import by_platform
from bot.store.models import Conversation

SELECTION = "_selection"
PARTS = "_parts"


class IntakeDraft(BaseModel):
    """`given` maps a step's key to its answer record (`submission.record`: value, when, sha256)."""

    given: dict[str, dict[str, Any]] = Field(default_factory=dict)
    selection: dict[str, list[str]] = Field(default_factory=dict)
    parts: dict[str, list[str]] = Field(default_factory=dict)

    @classmethod
    def of(cls, conversation: Conversation) -> IntakeDraft:
        stored = dict(conversation.answers or {})
        return cls(
            given={key: value for key, value in stored.items() if key not in (SELECTION, PARTS)},
            selection=stored.get(SELECTION) or {},
            parts=stored.get(PARTS) or {},
        )

    def keep(self, conversation: Conversation) -> None:
        """Writes the draft back to its column (a new value, so the change is saved)."""
        stored: dict[str, Any] = dict(self.given)
        if self.selection:
            stored[SELECTION] = self.selection
        if self.parts:
            stored[PARTS] = self.parts
        conversation.answers = stored

    def value(self, key: str) -> Any:
        return (self.given.get(key) or {}).get("value")

    def answered(self, key: str, answer: dict[str, Any] | None) -> None:
        """The step's answer record, and its ticked options and parts forgotten (`None` keeps the record)."""
        if answer is not None:
            self.given[key] = answer
        self.selection.pop(key, None)
        self.parts.pop(key, None)

    def from_record(self, answers: dict[str, dict[str, Any]]) -> None:
        """The answers of the platform's record for the account, in place of those of an earlier one."""
        self.given = {key: answer for key, answer in self.given.items() if not by_platform(answer)} | answers

    def selected(self, key: str) -> list[str]:
        return list(self.selection.get(key, []))

    def select(self, key: str, values: list[str]) -> None:
        self.selection[key] = list(values)

    def parts_of(self, key: str) -> list[str]:
        return list(self.parts.get(key, []))

    def keep_parts(self, key: str, parts: list[str]) -> None:
        if parts:
            self.parts[key] = list(parts)
        else:
            self.parts.pop(key, None)
