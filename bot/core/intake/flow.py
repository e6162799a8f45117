"""Walks a user through the intake steps. State lives on the Conversation row, never in memory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from rapidfuzz import fuzz, process

from bot.config import Settings
from bot.core import payloads
from bot.core.events import Attachment, Button, Reply
from bot.core.evidence import EvidenceStore
from bot.core.intake import parsing
from bot.core.intake.locales import day_first
from bot.core.intake.parsing import Invalid
from bot.core.intake.steps import EDITABLE, STEP_BY_KEY, Step, applicable, next_step, progress
from bot.core.modes import Mode
from bot.core.text import is_one_question, looks_like_question
from bot.core.tickets.lifecycle import Refused
from bot.core.tickets.service import TicketService, canonical_sha256
from bot.core.turn import Turn
from bot.store.models import Evidence

Labeler = Callable[[str], str]
Asker = Callable[[Turn, str], object]
SureAnswer = Callable[[Turn, str], bool]
FINISHED = ("that's all", "thats all", "that is all", "done", "finished", "the end", "end", "next")
START_OVER = ("start over", "start again", "restart")


class IntakeFlow:
    def __init__(
        self,
        settings: Settings,
        tickets: TicketService,
        evidence: EvidenceStore,
        label: Labeler,
        ask: Asker,
        answer_if_sure: SureAnswer,
        suggest: Callable[[dict[str, Any]], list[str]],
    ) -> None:
        self.settings = settings
        self.tickets = tickets
        self.evidence = evidence
        self.label = label
        self.ask = ask
        self.answer_if_sure = answer_if_sure
        self.suggest = suggest

    # ---- entering and leaving ----------------------------------------------------------------------

    def start(self, turn: Turn) -> None:
        conversation = turn.conversation
        conversation.mode = Mode.INTAKE
        conversation.answers = {}
        conversation.history = []
        conversation.editing = False
        conversation.started_at = turn.now
        conversation.reminded_at = None
        comforted = bool(conversation.memo.get("comforted"))
        conversation.memo = {key: value for key, value in conversation.memo.items() if key != "comforted"}
        turn.say("intake/start.j2", comforted=comforted)
        self._go(turn, next_step({}, None).key)

    def cancel(self, turn: Turn) -> None:
        conversation = turn.conversation
        for evidence_id in self._evidence_ids(conversation.answers):
            item = turn.session.get(Evidence, evidence_id)
            if item is not None and item.ticket_id is None:
                self.evidence.discard(turn.session, item)
        self.cancel_silently(turn)
        turn.say("intake/cancelled.j2")

    def resume(self, turn: Turn) -> None:
        """Shows the current question again, e.g. after a question was answered in between."""
        turn.add(self.prompt(turn))

    def in_parts(self, turn: Turn) -> bool:
        """Whether the current step takes its answer in several messages."""
        return turn.conversation.mode == Mode.INTAKE and self._step(turn).in_parts

    def message_limit(self, turn: Turn) -> int:
        """The longest message the current step can use: a step taken in parts holds more than one message."""
        return self._step(turn).max_length if self.in_parts(turn) else self.settings.max_message_chars

    # ---- input -------------------------------------------------------------------------------------

    def on_action(self, turn: Turn, action: str) -> None:
        step = self._step(turn)
        if action == "back":
            self._back(turn)
        elif action == "skip" and step.optional:
            self._advance(turn, step, None)
        elif action == "cancel":
            self.cancel(turn)
        elif (action in ("c:yes", "c:no") and step.kind == "consent") or (
            action.startswith("c:") and step.choice(action[2:])
        ):
            self._answer(turn, step, action[2:])
        elif action.startswith("d:") and step.kind == "date":
            self._chosen_date(turn, step, action[2:])
        elif action.startswith("t:") and step.kind == "multi":
            self._toggle(turn, step, action[2:])
        elif action == "done":
            self._done(turn, step)
        elif action == "restart" and step.in_parts:
            self._start_over(turn, step)
        elif action == "send" and step.kind == "summary":
            self._submit(turn)
        elif action.startswith("edit:") and action[5:] in EDITABLE and step.kind == "summary":
            self._edit(turn, action[5:])
        else:
            turn.say("errors/stale_button.j2")
            turn.add(self.prompt(turn))

    def on_text(self, turn: Turn, text: str) -> None:
        step = self._step(turn)
        word = text.strip().lower().rstrip(".!")
        if word in ("back", "go back", "previous"):
            self._back(turn)
            return
        if word == "cancel":
            self.cancel(turn)
            return
        if word in ("skip", "pass") and step.optional:
            self._advance(turn, step, None)
            return
        handler = getattr(self, f"_text_{step.kind}")
        handler(turn, step, text)

    def on_files(self, turn: Turn, attachments: tuple[Attachment, ...], caption: str = "") -> None:
        """Files are welcome at any step; they are kept for the appeal (with their caption) and the step goes on."""
        step = self._step(turn)
        answers = dict(turn.conversation.answers)
        stored = self._evidence_ids(answers)
        received = self.evidence.accept_all(
            turn.session,
            turn.user.id or 0,
            attachments,
            "intake",
            self.evidence.digests(turn.session, stored),
            caption=caption,
            room=self.settings.evidence_max_files - len(stored),
        )
        if received.accepted:
            answers["evidence"] = self._record(turn, stored + [item.id or 0 for item in received.accepted])
            turn.conversation.answers = answers
        turn.say(
            "intake/files_received.j2",
            **received.told(),
            total=len(self._evidence_ids(answers)),
            at_evidence_step=step.key == "evidence",
            **self._limits(),
        )
        if step.key != "evidence":
            turn.add(self.prompt(turn))
        else:
            turn.add(self._files_prompt(turn, step, again=True))

    # ---- per-kind text handlers -------------------------------------------------------------------

    def _text_account(self, turn: Turn, step: Step, text: str) -> None:
        try:
            account = parsing.parse_account(text)
        except Invalid as invalid:
            self._invalid_or_question(turn, step, text, invalid.hint)
            return
        existing = self.tickets.open_appeal_for_account(turn.session, account["key"], turn.user.id or 0)
        if existing is not None:
            turn.say("intake/account_has_appeal.j2", reference=existing.reference)
            self.cancel_silently(turn)
            return
        self._advance(turn, step, account["value"], extra={"key": account["key"], "kind": account["kind"]})

    def _text_choice(self, turn: Turn, step: Step, text: str) -> None:
        value = self._match_choice(step, text)
        if value is None:
            self._invalid_or_question(turn, step, text, "choice")
            return
        self._answer(turn, step, value)

    def _text_multi(self, turn: Turn, step: Step, text: str) -> None:
        if text.strip().lower().rstrip(".!") in ("done", "ok", "next", "that's all", "thats all"):
            self._done(turn, step)
            return
        parts = [part for part in text.replace(";", ",").replace(" and ", ",").split(",") if part.strip()]
        if len(parts) == 1 and all(token.isdigit() for token in text.split()):
            parts = text.split()
        values = [self._match_choice(step, part) for part in parts]
        if not parts or None in values:
            self._invalid_or_question(turn, step, text, "multi")
            return
        selected = list(dict.fromkeys(value for value in values if value))
        self._advance(turn, step, selected)

    def _text_date(self, turn: Turn, step: Step, text: str) -> None:
        today, order = turn.now.date(), day_first(turn.inbound.locale)
        try:
            self._parsed(turn, step, text, lambda: parsing.parse_date(text, today, order).isoformat())
        except parsing.Ambiguous as ambiguous:
            turn.add(self._which_date(turn, step, ambiguous.readings))

    def _chosen_date(self, turn: Turn, step: Step, value: str) -> None:
        """One of the readings offered for an ambiguous date, checked again like a typed one."""
        try:
            chosen = parsing.parse_date(value, turn.now.date())
        except (parsing.Invalid, parsing.Ambiguous):
            turn.say("errors/stale_button.j2")
            turn.add(self.prompt(turn))
            return
        self._advance(turn, step, chosen.isoformat())

    def _text_year(self, turn: Turn, step: Step, text: str) -> None:
        self._parsed(turn, step, text, lambda: parsing.parse_year(text, turn.now.date()))

    def _text_email(self, turn: Turn, step: Step, text: str) -> None:
        self._parsed(turn, step, text, lambda: parsing.parse_email(text))

    def _parsed(self, turn: Turn, step: Step, text: str, parse: Callable[[], str]) -> None:
        """Stores what `parse` makes of the text, or re-asks with its hint (or answers a question)."""
        try:
            value = parse()
        except Invalid as invalid:
            self._invalid_or_question(turn, step, text, invalid.hint)
            return
        self._advance(turn, step, value)

    def _text_text(self, turn: Turn, step: Step, text: str) -> None:
        if step.none_choice and self._match_choice(step, text, only_none=True):
            self._advance(turn, step, step.none_choice.value)
            return
        if self._answered_instead(turn, text):
            return
        if step.in_parts:
            self._text_part(turn, step, text)
            return
        try:
            value = parsing.parse_free_text(text, step.min_length, step.max_length)
        except Invalid as invalid:
            if invalid.hint == "too_short" and looks_like_question(text):
                self._invalid_or_question(turn, step, text, invalid.hint)
            else:
                self._invalid(turn, step, invalid.hint, length=len(text.strip()))
            return
        self._advance(turn, step, value)

    def _text_part(self, turn: Turn, step: Step, text: str) -> None:
        """One part of a long answer: kept, until the user says that is all (or starts over)."""
        word = text.strip().lower().rstrip(".!")
        parts = self._parts(turn, step)
        if word in FINISHED:
            self._finish_parts(turn, step)
        elif word in START_OVER:
            self._start_over(turn, step)
        elif not parts and len(text.strip()) < step.min_length and looks_like_question(text):
            self._invalid_or_question(turn, step, text, "too_short")
        elif sum(map(len, parts)) + len(text.strip()) > step.max_length:
            self._invalid(turn, step, "too_long", length=sum(map(len, parts)) + len(text.strip()))
        else:
            self._keep_parts(turn, step, [*parts, text.strip()])
            turn.add(self._part_received(turn, step))

    def _finish_parts(self, turn: Turn, step: Step) -> None:
        joined = "\n".join(self._parts(turn, step))
        if len(joined) < step.min_length:
            self._invalid(turn, step, "too_short", length=len(joined))
            return
        self._advance(turn, step, joined)

    def _start_over(self, turn: Turn, step: Step) -> None:
        self._keep_parts(turn, step, [])
        turn.add(self.prompt(turn))

    def _parts(self, turn: Turn, step: Step) -> list[str]:
        return list(turn.conversation.answers.get("_parts", {}).get(step.key, []))

    def _keep_parts(self, turn: Turn, step: Step, parts: list[str]) -> None:
        answers = dict(turn.conversation.answers)
        kept = {key: value for key, value in answers.get("_parts", {}).items() if key != step.key}
        answers["_parts"] = {**kept, step.key: parts} if parts else kept
        turn.conversation.answers = answers

    def _text_files(self, turn: Turn, step: Step, text: str) -> None:
        word = text.strip().lower().rstrip(".!")
        if word in ("done", "none", "no files", "next", "finished", "that's all", "skip") or parsing.is_no(word):
            self._done(turn, step)
        else:
            self._invalid_or_question(turn, step, text, "files")

    def _text_consent(self, turn: Turn, step: Step, text: str) -> None:
        if parsing.is_yes(text):
            self._advance(turn, step, True)
        elif parsing.is_no(text):
            self._answer(turn, step, "no")
        else:
            self._invalid_or_question(turn, step, text, "consent")

    def _text_summary(self, turn: Turn, step: Step, text: str) -> None:
        word = text.strip().lower().rstrip(".!")
        if parsing.is_yes(word) or word in ("send", "submit", "send appeal"):
            self._submit(turn)
        else:
            self._invalid_or_question(turn, step, text, "summary")

    # ---- moving between steps ---------------------------------------------------------------------

    def _answer(self, turn: Turn, step: Step, value: str) -> None:
        if step.kind == "consent":
            if value == "yes":
                self._advance(turn, step, True)
            else:
                turn.say("intake/consent_needed.j2")
                turn.add(self.prompt(turn))
            return
        if step.kind == "multi":
            self._toggle(turn, step, value)
            return
        if step.kind == "summary":
            return
        self._advance(turn, step, value)

    def _toggle(self, turn: Turn, step: Step, value: str) -> None:
        if step.choice(value) is None:
            turn.say("errors/stale_button.j2")
            turn.add(self.prompt(turn))
            return
        answers = dict(turn.conversation.answers)
        selected = list(answers.get("_selection", {}).get(step.key, []))
        selected = [item for item in selected if item != value] if value in selected else [*selected, value]
        answers["_selection"] = {**answers.get("_selection", {}), step.key: selected}
        turn.conversation.answers = answers
        reply = self.prompt(turn)
        turn.add(Reply(reply.template, reply.context, reply.buttons, reply.expects, replaces_buttons=True))

    def _done(self, turn: Turn, step: Step) -> None:
        if step.kind == "multi":
            selected = turn.conversation.answers.get("_selection", {}).get(step.key, [])
            if not selected:
                self._invalid(turn, step, "multi_empty")
                return
            self._advance(turn, step, list(selected))
        elif step.kind == "files":
            self._advance(turn, step, None, keep_value=True)
        elif step.in_parts:
            self._finish_parts(turn, step)
        else:
            turn.say("errors/stale_button.j2")
            turn.add(self.prompt(turn))

    def _advance(
        self,
        turn: Turn,
        step: Step,
        value: Any,
        extra: dict[str, Any] | None = None,
        keep_value: bool = False,
    ) -> None:
        conversation = turn.conversation
        answers = dict(conversation.answers)
        if not keep_value:
            if value is None:
                answers.pop(step.key, None)
                answers[step.key] = {"value": None, "skipped": True, "at": turn.now.isoformat(), "sha256": ""}
            else:
                answers[step.key] = {
                    "value": value,
                    "at": turn.now.isoformat(),
                    "sha256": canonical_sha256(value),
                    **(extra or {}),
                }
        answers.get("_selection", {}).pop(step.key, None)
        answers.get("_parts", {}).pop(step.key, None)
        conversation.answers = answers
        history = [*conversation.history, step.key] if step.key not in conversation.history else conversation.history
        conversation.history = history
        upcoming = next_step(answers, step.key)
        if conversation.editing and not self._needs_answer(upcoming, answers):
            upcoming = STEP_BY_KEY["summary"]
        if upcoming.kind == "summary":
            conversation.editing = False
        self._go(turn, upcoming.key)

    def _needs_answer(self, step: Step, answers: dict[str, Any]) -> bool:
        return step.kind != "summary" and step.key not in answers

    def _back(self, turn: Turn) -> None:
        conversation = turn.conversation
        history = list(conversation.history)
        current = conversation.step
        if current in history:
            history = history[: history.index(current)]
        if not history:
            turn.say("intake/no_back.j2")
            turn.add(self.prompt(turn))
            return
        previous = history.pop()
        conversation.history = history
        self._go(turn, previous)

    def _edit(self, turn: Turn, key: str) -> None:
        conversation = turn.conversation
        if STEP_BY_KEY[key] not in applicable(conversation.answers):
            turn.say("errors/stale_button.j2")
            turn.add(self.prompt(turn))
            return
        conversation.editing = True
        if STEP_BY_KEY[key].kind == "multi":
            answers = dict(conversation.answers)
            current = (answers.get(key) or {}).get("value") or []
            answers["_selection"] = {**answers.get("_selection", {}), key: list(current)}
            conversation.answers = answers
        self._go(turn, key)

    def _go(self, turn: Turn, key: str) -> None:
        conversation = turn.conversation
        conversation.step = key
        conversation.version += 1
        turn.add(self.prompt(turn))

    def cancel_silently(self, turn: Turn) -> None:
        """Leaves the intake (cancelled or sent); older buttons become stale."""
        conversation = turn.conversation
        conversation.mode = Mode.IDLE
        conversation.step = None
        conversation.answers = {}
        conversation.history = []
        conversation.version += 1

    # ---- submitting --------------------------------------------------------------------------------

    def _submit(self, turn: Turn) -> None:
        conversation = turn.conversation
        keys = {step.key for step in applicable(conversation.answers)}
        answers = {key: value for key, value in conversation.answers.items() if key in keys}
        if (answers.get("consent") or {}).get("value") is not True:
            self._go(turn, "consent")
            return
        account = answers.get("account") or {}
        try:
            ticket = self.tickets.open_ticket(
                turn.session,
                turn.user,
                "appeal",
                answers,
                account_key=account.get("key"),
                evidence_ids=self._evidence_ids(answers),
                suggested_entries=self.suggest(answers),
            )
        except Refused:
            existing = self.tickets.open_appeal_for_account(turn.session, account.get("key", ""), turn.user.id or 0)
            turn.say("intake/account_has_appeal.j2", reference=existing.reference if existing else "")
            self.cancel_silently(turn)
            return
        self.cancel_silently(turn)
        conversation.ticket_id = ticket.id
        turn.add(
            Reply(
                "intake/submitted.j2",
                {
                    "reference": ticket.reference,
                    "position": self.tickets.queue_position(turn.session, ticket),
                    "due": ticket.first_response_due.isoformat(),
                },
                buttons=((Button("go.status", "go:status"),),),
            )
        )

    # ---- prompts ----------------------------------------------------------------------------------

    def prompt(self, turn: Turn) -> Reply:
        step = self._step(turn)
        answers = turn.conversation.answers
        version = turn.conversation.version
        position, total = progress(answers, step.key)
        context: dict[str, Any] = {"n": position, "total": total, "editing": turn.conversation.editing}
        rows: list[tuple[Button, ...]] = []
        expects = "text"
        if step.kind in ("choice", "consent"):
            expects = "choice"
            options = step.choices or ()
            if step.kind == "consent":
                rows.append(
                    (
                        Button("consent.yes", payloads.step(version, "c:yes")),
                        Button("consent.no", payloads.step(version, "c:no")),
                    )
                )
            rows.extend((Button(option.label, payloads.step(version, f"c:{option.value}")),) for option in options)
        elif step.kind == "multi":
            expects = "choice"
            selected = answers.get("_selection", {}).get(step.key, [])
            rows.extend(
                (Button(option.label, payloads.step(version, f"t:{option.value}"), selected=option.value in selected),)
                for option in step.choices
            )
            rows.append((Button("intake.done", payloads.step(version, "done"), style="primary"),))
            context["selected"] = len(selected)
        elif step.kind == "files":
            return self._files_prompt(turn, step)
        elif step.kind == "summary":
            return self._summary(turn)
        if step.none_choice:
            rows.append((Button(step.none_choice.label, payloads.step(version, f"c:{step.none_choice.value}")),))
        if step.in_parts:
            parts = self._parts(turn, step)
            context.update(so_far=sum(map(len, parts)), maximum=step.max_length)
            if parts:
                rows.extend(self._parts_buttons(turn, step))
                return Reply(step.prompt, context, tuple(rows), expects=expects)
        rows.append(self._nav(turn, step))
        return Reply(step.prompt, context, tuple(row for row in rows if row), expects=expects)

    def _which_date(self, turn: Turn, step: Step, readings: tuple[date, date]) -> Reply:
        version = turn.conversation.version
        days = [reading.isoformat() for reading in readings]
        return Reply(
            "intake/which_date.j2",
            {"readings": days},
            buttons=(
                tuple(Button("intake.date", payloads.step(version, f"d:{day}"), params={"day": day}) for day in days),
                self._nav(turn, step),
            ),
            expects="choice",
        )

    def _part_received(self, turn: Turn, step: Step) -> Reply:
        """After each part: how much is in, and the two ways on (send more, or say that is all)."""
        parts = self._parts(turn, step)
        return Reply(
            "intake/part_received.j2",
            {"so_far": sum(map(len, parts)), "parts": len(parts), "maximum": step.max_length},
            buttons=self._parts_buttons(turn, step),
            expects="text",
        )

    def _parts_buttons(self, turn: Turn, step: Step) -> tuple[tuple[Button, ...], ...]:
        version = turn.conversation.version
        return (
            (Button("intake.parts_done", payloads.step(version, "done"), style="primary"),),
            (Button("intake.parts_restart", payloads.step(version, "restart")), *self._nav(turn, step)),
        )

    def _files_prompt(self, turn: Turn, step: Step, again: bool = False) -> Reply:
        version = turn.conversation.version
        count = len(self._evidence_ids(turn.conversation.answers))
        position, total = progress(turn.conversation.answers, step.key)
        return Reply(
            step.prompt,
            {"n": position, "total": total, "count": count, "again": again, **self._limits()},
            buttons=(
                (Button("intake.files_done", payloads.step(version, "done"), style="primary"),),
                self._nav(turn, step),
            ),
            expects="file",
        )

    def _summary(self, turn: Turn) -> Reply:
        version = turn.conversation.version
        answers = turn.conversation.answers
        rows = []
        for step in applicable(answers):
            if step.key not in EDITABLE:
                continue
            answer = answers.get(step.key) or {}
            rows.append({"key": step.key, "label": step.label, "value": self._display(step, answer)})
        edit_buttons = [
            Button("intake.edit", payloads.step(version, f"edit:{step.key}"), params={"field": self.label(step.label)})
            for step in applicable(answers)
            if step.key in EDITABLE
        ]
        buttons: list[tuple[Button, ...]] = [(Button("intake.send", payloads.step(version, "send"), style="primary"),)]
        buttons.extend(tuple(edit_buttons[i : i + 2]) for i in range(0, len(edit_buttons), 2))
        buttons.append((Button("intake.cancel", payloads.step(version, "cancel"), style="danger"),))
        return Reply("intake/summary.j2", {"rows": rows}, tuple(buttons), expects="choice")

    def _display(self, step: Step, answer: dict[str, Any]) -> str:
        value = answer.get("value")
        if step.kind == "files":
            return str(len(self._evidence_ids({"evidence": answer})))
        if value is None:
            return ""
        if step.kind in ("choice", "multi") or (step.none_choice and value == step.none_choice.value):
            values = value if isinstance(value, list) else [value]
            labels = [self.label(choice.label) for item in values if (choice := step.choice(str(item)))]
            return ", ".join(labels)
        if step.kind == "date":
            return datetime.fromisoformat(value).strftime("%a %d %b %Y")
        return str(value)

    def _nav(self, turn: Turn, step: Step) -> tuple[Button, ...]:
        version = turn.conversation.version
        nav = []
        if step.optional and step.kind != "files":
            nav.append(Button("intake.skip", payloads.step(version, "skip")))
        if turn.conversation.history and turn.conversation.history[0] != step.key:
            nav.append(Button("intake.back", payloads.step(version, "back")))
        return tuple(nav)

    # ---- helpers ----------------------------------------------------------------------------------

    def _answered_instead(self, turn: Turn, text: str) -> bool:
        """A rule question sent instead of an answer is answered, when the knowledge base is sure,
        and the step is asked again; nothing is stored. A real answer that contains a question is
        neither one question nor a sure match, and is kept as the answer."""
        if not is_one_question(text) or not self.answer_if_sure(turn, text):
            return False
        turn.say("intake/back_to_step.j2")
        turn.add(self.prompt(turn))
        return True

    def _invalid_or_question(self, turn: Turn, step: Step, text: str, hint: str) -> None:
        if looks_like_question(text):
            self.ask(turn, text)
            turn.say("intake/back_to_step.j2")
            turn.add(self.prompt(turn))
            return
        self._invalid(turn, step, hint)

    def _invalid(self, turn: Turn, step: Step, hint: str, **context: Any) -> None:
        turn.say(
            "intake/invalid.j2",
            hint=hint,
            step=step.key,
            minimum=step.min_length,
            maximum=step.max_length,
            in_parts=step.in_parts,
            **context,
        )
        turn.add(self.prompt(turn))

    def _match_choice(self, step: Step, text: str, only_none: bool = False) -> str | None:
        value = text.strip().lower().rstrip(".!")
        options = [step.none_choice] if only_none and step.none_choice else list(step.choices)
        if not value or not options:
            return None
        if not only_none and value.isdigit() and 1 <= int(value) <= len(options):
            return options[int(value) - 1].value
        amount = parsing.parse_amount(value) if not only_none else None
        in_range = step.choice_for_amount(amount) if amount is not None else None
        if in_range is not None:
            return in_range.value
        names: dict[str, str] = {}
        for option in options:
            names[self.label(option.label).lower()] = option.value
            names[option.value.lower()] = option.value
            for alias in option.aliases:
                names[alias.lower()] = option.value
        if value in names:
            return names[value]
        best = process.extractOne(value, list(names), scorer=fuzz.ratio, score_cutoff=85)
        return names[best[0]] if best else None

    def _step(self, turn: Turn) -> Step:
        return STEP_BY_KEY.get(turn.conversation.step or "", STEP_BY_KEY["account"])

    def _record(self, turn: Turn, ids: list[int]) -> dict[str, Any]:
        return {"value": ids, "at": turn.now.isoformat(), "sha256": canonical_sha256(ids)}

    @staticmethod
    def _evidence_ids(answers: dict[str, Any]) -> list[int]:
        value = (answers.get("evidence") or {}).get("value")
        return [int(item) for item in value] if isinstance(value, list) else []

    def _limits(self) -> dict[str, Any]:
        return {
            "max_mb": self.evidence.max_mb,
            "max_files": self.settings.evidence_max_files,
        }
