"""The guided intake's messages: each step's question with its buttons, and the summary to confirm.

Prompts are built from the conversation's state alone, so the same state always shows the same
question, and every button carries the state's version (a tap on an older message is stale).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from bot.core import payloads
from bot.core.events import Button, Reply
from bot.core.intake.draft import IntakeDraft
from bot.core.intake.steps import EDITABLE, STEP_BY_KEY, Step, applicable, by_platform, progress
from bot.core.intake.submission import evidence_ids
from bot.store.models import Conversation

Labeler = Callable[[str], str]
Rows = tuple[tuple[Button, ...], ...]


def current_step(conversation: Conversation) -> Step:
    return STEP_BY_KEY.get(conversation.step or "", STEP_BY_KEY["account"])


class Prompts:
    def __init__(self, label: Labeler, limits: Mapping[str, Any]) -> None:
        self.label = label
        self.limits = dict(limits)

    def prompt(self, conversation: Conversation) -> Reply:
        """The current step's question, as it stands (ticked options, parts received, answers so far)."""
        step = current_step(conversation)
        if step.kind == "files":
            return self.files(conversation, step)
        if step.kind == "summary":
            return self.summary(conversation)
        draft = IntakeDraft.of(conversation)
        position, total = progress(draft.given, step.key)
        context: dict[str, Any] = {"n": position, "total": total, "editing": conversation.editing}
        button = _button_maker(conversation)
        rows: list[tuple[Button, ...]] = []
        if step.kind == "consent":
            rows.append((button("consent.yes", "c:yes"), button("consent.no", "c:no")))
        if step.kind in ("choice", "consent"):
            rows.extend((button(option.label, f"c:{option.value}"),) for option in step.choices)
        if step.kind == "multi":
            selected = draft.selected(step.key)
            rows.extend(
                (button(option.label, f"t:{option.value}", selected=option.value in selected),)
                for option in step.choices
            )
            rows.append((button("intake.done", "done", style="primary"),))
            context["selected"] = len(selected)
        expects = "choice" if step.kind in ("choice", "consent", "multi") else "text"
        if step.none_choice:
            rows.append((button(step.none_choice.label, f"c:{step.none_choice.value}"),))
        if step.in_parts:
            parts = draft.parts_of(step.key)
            context.update(so_far=sum(map(len, parts)), maximum=step.max_length)
            if parts:
                return Reply(step.prompt, context, (*rows, *self._parts_buttons(conversation, step)), expects=expects)
        rows.append(self._nav(conversation, step))
        return Reply(step.prompt, context, tuple(row for row in rows if row), expects=expects)

    def which_date(self, conversation: Conversation, readings: tuple[date, date]) -> Reply:
        """A numeric date that reads two ways: the user picks one."""
        button = _button_maker(conversation)
        days = [reading.isoformat() for reading in readings]
        return Reply(
            "intake/which_date.j2",
            {"readings": days},
            buttons=(
                tuple(button("intake.date", f"d:{day}", params={"day": day}) for day in days),
                self._nav(conversation, current_step(conversation)),
            ),
            expects="choice",
        )

    def part_received(self, conversation: Conversation, step: Step) -> Reply:
        """After each part: how much is in, and the two ways on (send more, or say that is all)."""
        parts = IntakeDraft.of(conversation).parts_of(step.key)
        return Reply(
            "intake/part_received.j2",
            {"so_far": sum(map(len, parts)), "parts": len(parts), "maximum": step.max_length},
            buttons=self._parts_buttons(conversation, step),
            expects="text",
        )

    def files(self, conversation: Conversation, step: Step, again: bool = False) -> Reply:
        button = _button_maker(conversation)
        given = IntakeDraft.of(conversation).given
        count = len(evidence_ids(given))
        position, total = progress(given, step.key)
        return Reply(
            step.prompt,
            {"n": position, "total": total, "count": count, "again": again, **self.limits},
            buttons=((button("intake.files_done", "done", style="primary"),), self._nav(conversation, step)),
            expects="file",
        )

    def summary(self, conversation: Conversation) -> Reply:
        """Every answer given, with an Edit button each, and Send."""
        button = _button_maker(conversation)
        answers = IntakeDraft.of(conversation).given
        shown = [step for step in applicable(answers) if step.key in EDITABLE]
        rows = [
            {
                "key": step.key,
                "label": step.label,
                "value": self._display(step, answers.get(step.key) or {}),
                "from_platform": by_platform(answers.get(step.key)),
            }
            for step in shown
        ]
        edits = [
            button("intake.edit", f"edit:{step.key}", params={"field": self.label(step.label)}) for step in shown
        ]
        buttons: list[tuple[Button, ...]] = [(button("intake.send", "send", style="primary"),)]
        buttons.extend(tuple(edits[i : i + 2]) for i in range(0, len(edits), 2))
        buttons.append((button("intake.cancel", "cancel", style="danger"),))
        return Reply("intake/summary.j2", {"rows": rows}, tuple(buttons), expects="choice")

    def _display(self, step: Step, answer: dict[str, Any]) -> str:
        value = answer.get("value")
        if step.kind == "files":
            return str(len(evidence_ids({"evidence": answer})))
        if value is None:
            return ""
        if step.kind in ("choice", "multi") or (step.none_choice and value == step.none_choice.value):
            values = value if isinstance(value, list) else [value]
            return ", ".join(self.label(choice.label) for item in values if (choice := step.choice(str(item))))
        if step.kind == "date":
            return datetime.fromisoformat(value).strftime("%a %d %b %Y")
        return str(value)

    def _parts_buttons(self, conversation: Conversation, step: Step) -> Rows:
        button = _button_maker(conversation)
        return (
            (button("intake.parts_done", "done", style="primary"),),
            (button("intake.parts_restart", "restart"), *self._nav(conversation, step)),
        )

    def _nav(self, conversation: Conversation, step: Step) -> tuple[Button, ...]:
        button = _button_maker(conversation)
        nav = []
        if step.optional and step.kind != "files":
            nav.append(button("intake.skip", "skip"))
        if conversation.history and conversation.history[0] != step.key:
            nav.append(button("intake.back", "back"))
        return tuple(nav)


def _button_maker(conversation: Conversation) -> Callable[..., Button]:
    """Buttons of the conversation's current state: their payloads carry its version."""
    version = conversation.version

    def button(label: str, action: str, **options: Any) -> Button:
        return Button(label, payloads.step(version, action), **options)

    return button
