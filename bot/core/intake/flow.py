"""Walks a user through the intake steps. State lives on the Conversation row, never in memory.

This is the state machine: which step comes next, what a message or a tap does at each step.
Answers are read by the parsers of `parsing.py` (the same ones the one-page form uses), the
questions are built in `prompts.py`, and the appeal is filed by `submission.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.config import Settings
from bot.core.events import Attachment, Reply
from bot.core.evidence import EvidenceStore
from bot.core.intake import parsing
from bot.core.intake.draft import IntakeDraft
from bot.core.intake.locales import day_first
from bot.core.intake.on_record import OnRecord
from bot.core.intake.parsing import Invalid, Parsed, Reading
from bot.core.intake.prompts import Prompts, current_step
from bot.core.intake.steps import EDITABLE, STEP_BY_KEY, Step, StepKind, applicable, next_step
from bot.core.intake.submission import Suggest, evidence_ids, file_appeal, in_intake_order, record, skipped
from bot.core.modes import Mode
from bot.core.text import is_one_question, looks_like_question
from bot.core.tickets.service import TicketService
from bot.core.turn import Turn
from bot.store.models import Evidence

Labeler = Callable[[str], str]
Asker = Callable[[Turn, str], object]
SureAnswer = Callable[[Turn, str], bool]
TextHandler = Callable[[Turn, Step, str], None]
FINISHED = ("that's all", "thats all", "that is all", "done", "finished", "the end", "end", "next")
START_OVER = ("start over", "start again", "restart")
MULTI_DONE = ("done", "ok", "next", "that's all", "thats all")
NO_MORE_FILES = ("done", "none", "no files", "next", "finished", "that's all", "skip")
SEND = ("send", "submit", "send appeal")


def _word(text: str) -> str:
    return text.strip().lower().rstrip(".!")


class IntakeFlow:
    def __init__(
        self,
        settings: Settings,
        tickets: TicketService,
        evidence: EvidenceStore,
        label: Labeler,
        ask: Asker,
        answer_if_sure: SureAnswer,
        suggest: Suggest,
        on_record: OnRecord,
    ) -> None:
        self.settings = settings
        self.tickets = tickets
        self.evidence = evidence
        self.label = label
        self.ask = ask
        self.answer_if_sure = answer_if_sure
        self.suggest = suggest
        self.on_record = on_record
        self.prompts = Prompts(label, evidence.limits)
        # What a typed message does at each kind of step; a text that is an answer goes to `parsing`.
        self.on_text_of: Mapping[StepKind, TextHandler] = {
            "account": self._text_account,
            "choice": self._text_answer,
            "date": self._text_answer,
            "year": self._text_answer,
            "email": self._text_answer,
            "multi": self._text_multi,
            "text": self._text_text,
            "files": self._text_files,
            "consent": self._text_consent,
            "summary": self._text_summary,
        }

    # ---- entering and leaving ----------------------------------------------------------------------

    def start(self, turn: Turn) -> None:
        conversation = turn.conversation
        conversation.mode = Mode.INTAKE
        IntakeDraft().keep(conversation)
        conversation.history = []
        conversation.editing = False
        conversation.started_at = turn.now
        conversation.reminded_at = None
        comforted, turn.memo.comforted = turn.memo.comforted, False
        turn.say("intake/start.j2", comforted=comforted)
        self._go(turn, next_step({}, None).key)

    def cancel(self, turn: Turn) -> None:
        for evidence_id in evidence_ids(IntakeDraft.of(turn.conversation).given):
            item = turn.session.get(Evidence, evidence_id)
            if item is not None and item.ticket_id is None:
                self.evidence.discard(turn.session, item)
        self.cancel_silently(turn)
        turn.say("intake/cancelled.j2")

    def cancel_silently(self, turn: Turn) -> None:
        """Leaves the intake (cancelled or sent); older buttons become stale."""
        conversation = turn.conversation
        conversation.mode = Mode.IDLE
        conversation.step = None
        IntakeDraft().keep(conversation)
        conversation.history = []
        conversation.version += 1

    def resume(self, turn: Turn) -> None:
        """Shows the current question again, e.g. after a question was answered in between."""
        turn.add(self.prompt(turn))

    def prompt(self, turn: Turn) -> Reply:
        return self.prompts.prompt(turn.conversation)

    def in_parts(self, turn: Turn) -> bool:
        """Whether the current step takes its answer in several messages."""
        return turn.conversation.mode == Mode.INTAKE and current_step(turn.conversation).in_parts

    def message_limit(self, turn: Turn) -> int:
        """The longest message the current step can use: a step taken in parts holds more than one message."""
        return current_step(turn.conversation).max_length if self.in_parts(turn) else self.settings.max_message_chars

    # ---- input -------------------------------------------------------------------------------------

    def on_action(self, turn: Turn, action: str) -> None:
        step = current_step(turn.conversation)
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
            self._stale(turn)

    def on_text(self, turn: Turn, text: str) -> None:
        step = current_step(turn.conversation)
        word = _word(text)
        if word in ("back", "go back", "previous"):
            self._back(turn)
        elif word == "cancel":
            self.cancel(turn)
        elif word in ("skip", "pass") and step.optional:
            self._advance(turn, step, None)
        else:
            self.on_text_of[step.kind](turn, step, text)

    def on_files(self, turn: Turn, attachments: tuple[Attachment, ...], caption: str = "") -> None:
        """Files are welcome at any step; they are kept for the appeal (with their caption) and the step goes on."""
        step = current_step(turn.conversation)
        draft = IntakeDraft.of(turn.conversation)
        stored = evidence_ids(draft.given)
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
            ids = stored + [item.id or 0 for item in received.accepted]
            draft.given["evidence"] = record(ids, turn.now.isoformat())
            draft.keep(turn.conversation)
        turn.say(
            "intake/files_received.j2",
            **received.told(),
            total=len(evidence_ids(draft.given)),
            at_evidence_step=step.key == "evidence",
            **self.evidence.limits,
        )
        if step.key != "evidence":
            turn.add(self.prompt(turn))
        else:
            turn.add(self.prompts.files(turn.conversation, step, again=True))

    # ---- typed messages, by kind of step ------------------------------------------------------------

    def _read(self, turn: Turn, step: Step, text: str) -> Parsed | None:
        """The answer the text gives, or None once the user was told why it cannot be used."""
        reading = Reading(turn.now.date(), self.label, day_first(turn.inbound.locale))
        try:
            return parsing.parse_answer(step, text, reading)
        except parsing.Ambiguous as ambiguous:
            turn.add(self.prompts.which_date(turn.conversation, ambiguous.readings))
        except Invalid as invalid:
            self._invalid_or_question(turn, step, text, invalid.hint)
        return None

    def _text_answer(self, turn: Turn, step: Step, text: str) -> None:
        parsed = self._read(turn, step, text)
        if parsed is not None:
            self._advance(turn, step, parsed.value, parsed.extra)

    def _text_account(self, turn: Turn, step: Step, text: str) -> None:
        parsed = self._read(turn, step, text)
        if parsed is None:
            return
        existing = self.tickets.open_appeal_for_account(turn.session, parsed.extra["key"], turn.user.id or 0)
        if existing is not None:
            turn.say("intake/account_has_appeal.j2", reference=existing.reference)
            self.cancel_silently(turn)
            return
        until = self.tickets.limits.next_appeal_at(turn.session, parsed.extra["key"], turn.now)
        if until is not None:  # told at the account question, before all the others
            turn.add(self.tickets.limits.appeal_limit(until))
            self.cancel_silently(turn)
            return
        found = self.on_record.find(turn.session, parsed.extra["key"], turn.now.isoformat())
        draft = IntakeDraft.of(turn.conversation)
        draft.from_record(found.answers if found is not None else {})
        draft.keep(turn.conversation)
        if found is not None:
            turn.add(self.on_record.told(found, list(found.answers)))
        self._advance(turn, step, parsed.value, parsed.extra)

    def _text_multi(self, turn: Turn, step: Step, text: str) -> None:
        if _word(text) in MULTI_DONE:
            self._done(turn, step)
        else:
            self._text_answer(turn, step, text)

    def _text_text(self, turn: Turn, step: Step, text: str) -> None:
        if step.none_choice and parsing.match_choice(step, text, self.label, only_none=True):
            self._advance(turn, step, step.none_choice.value)
        elif self._answered_instead(turn, text):
            return
        elif step.in_parts:
            self._text_part(turn, step, text)
        else:
            reading = Reading(turn.now.date(), self.label)
            try:
                parsed = parsing.parse_answer(step, text, reading)
            except Invalid as invalid:
                if invalid.hint == "too_short" and looks_like_question(text):
                    self._invalid_or_question(turn, step, text, invalid.hint)
                else:
                    self._invalid(turn, step, invalid.hint, length=len(text.strip()))
                return
            self._advance(turn, step, parsed.value)

    def _text_part(self, turn: Turn, step: Step, text: str) -> None:
        """One part of a long answer: kept, until the user says that is all (or starts over)."""
        word = _word(text)
        parts = IntakeDraft.of(turn.conversation).parts_of(step.key)
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
            turn.add(self.prompts.part_received(turn.conversation, step))

    def _text_files(self, turn: Turn, step: Step, text: str) -> None:
        word = _word(text)
        if word in NO_MORE_FILES or parsing.is_no(word):
            self._done(turn, step)
        else:
            self._invalid_or_question(turn, step, text, "files")

    def _text_consent(self, turn: Turn, step: Step, text: str) -> None:
        if parsing.is_no(text):
            self._answer(turn, step, "no")
        else:
            self._text_answer(turn, step, text)

    def _text_summary(self, turn: Turn, step: Step, text: str) -> None:
        word = _word(text)
        if parsing.is_yes(word) or word in SEND:
            self._submit(turn)
        else:
            self._invalid_or_question(turn, step, text, "summary")

    # ---- taps ---------------------------------------------------------------------------------------

    def _answer(self, turn: Turn, step: Step, value: str) -> None:
        """A tapped choice (or "yes"/"no" on the consent step)."""
        if step.kind == "consent" and value != "yes":
            turn.say("intake/consent_needed.j2")
            turn.add(self.prompt(turn))
        elif step.kind == "multi":
            self._toggle(turn, step, value)
        else:
            self._advance(turn, step, True if step.kind == "consent" else value)

    def _chosen_date(self, turn: Turn, step: Step, value: str) -> None:
        """One of the readings offered for an ambiguous date, checked again like a typed one."""
        try:
            chosen = parsing.parse_date(value, turn.now.date())
        except (parsing.Invalid, parsing.Ambiguous):
            self._stale(turn)
            return
        self._advance(turn, step, chosen.isoformat())

    def _toggle(self, turn: Turn, step: Step, value: str) -> None:
        if step.choice(value) is None:
            self._stale(turn)
            return
        draft = IntakeDraft.of(turn.conversation)
        selected = draft.selected(step.key)
        draft.select(step.key, [item for item in selected if item != value] if value in selected else [*selected, value])
        draft.keep(turn.conversation)
        reply = self.prompt(turn)
        turn.add(Reply(reply.template, reply.context, reply.buttons, reply.expects, replaces_buttons=True))

    def _done(self, turn: Turn, step: Step) -> None:
        if step.kind == "multi":
            selected = IntakeDraft.of(turn.conversation).selected(step.key)
            if not selected:
                self._invalid(turn, step, "multi_empty")
                return
            self._advance(turn, step, selected)
        elif step.kind == "files":
            self._advance(turn, step, None, keep_value=True)
        elif step.in_parts:
            self._finish_parts(turn, step)
        else:
            self._stale(turn)

    # ---- long answers in parts ---------------------------------------------------------------------

    def _finish_parts(self, turn: Turn, step: Step) -> None:
        joined = "\n".join(IntakeDraft.of(turn.conversation).parts_of(step.key))
        if len(joined) < step.min_length:
            self._invalid(turn, step, "too_short", length=len(joined))
            return
        self._advance(turn, step, joined)

    def _start_over(self, turn: Turn, step: Step) -> None:
        self._keep_parts(turn, step, [])
        turn.add(self.prompt(turn))

    def _keep_parts(self, turn: Turn, step: Step, parts: list[str]) -> None:
        draft = IntakeDraft.of(turn.conversation)
        draft.keep_parts(step.key, parts)
        draft.keep(turn.conversation)

    # ---- moving between steps ---------------------------------------------------------------------

    def _advance(
        self,
        turn: Turn,
        step: Step,
        value: Any,
        extra: dict[str, Any] | None = None,
        keep_value: bool = False,
    ) -> None:
        conversation = turn.conversation
        draft = IntakeDraft.of(conversation)
        at = turn.now.isoformat()
        answer = skipped(at) if value is None else record(value, at, extra)
        draft.answered(step.key, None if keep_value else answer)
        draft.keep(conversation)
        answers = draft.given
        history = [*conversation.history, step.key] if step.key not in conversation.history else conversation.history
        conversation.history = history
        upcoming = next_step(answers, step.key)
        if conversation.editing and upcoming.kind != "summary" and upcoming.key in answers:
            upcoming = STEP_BY_KEY["summary"]
        if upcoming.kind == "summary":
            conversation.editing = False
        self._go(turn, upcoming.key)

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
        step = STEP_BY_KEY[key]
        draft = IntakeDraft.of(conversation)
        if step not in applicable(draft.given):
            self._stale(turn)
            return
        conversation.editing = True
        if step.kind == "multi":
            draft.select(key, list(draft.value(key) or []))
            draft.keep(conversation)
        self._go(turn, key)

    def _go(self, turn: Turn, key: str) -> None:
        conversation = turn.conversation
        conversation.step = key
        conversation.version += 1
        turn.add(self.prompt(turn))

    # ---- submitting --------------------------------------------------------------------------------

    def _submit(self, turn: Turn) -> None:
        conversation = turn.conversation
        answers = in_intake_order(IntakeDraft.of(conversation).given)
        if (answers.get("consent") or {}).get("value") is not True:
            self._go(turn, "consent")
            return
        filed = file_appeal(turn.session, self.tickets, turn.user, answers, self.suggest(answers))
        self.cancel_silently(turn)
        if filed.ticket is not None:
            conversation.ticket_id = filed.ticket.id
        turn.add(filed.reply)

    # ---- telling the user --------------------------------------------------------------------------

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

    def _stale(self, turn: Turn) -> None:
        turn.say("errors/stale_button.j2")
        turn.add(self.prompt(turn))
