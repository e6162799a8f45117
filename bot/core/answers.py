"""Rule questions: answers from the knowledge base, with how sure we are and a person one tap away."""

from __future__ import annotations

import re
from typing import Protocol

from bot.core.events import Button, Reply
from bot.core.knowledge.entry import Entry
from bot.core.knowledge.language import question_language
from bot.core.knowledge.matcher import MatchResult
from bot.core.text import row_id
from bot.core.turn import Turn
from bot.store.models import RuleAnswer

SUSPENSION_WORDS = re.compile(
    r"\b(suspend\w*|bann?ed|ban|block\w*|restrict\w*|deactivat\w*|disabled|on hold|locked|closed)\b", re.IGNORECASE
)


class RuleBook(Protocol):
    """What the engine needs from the knowledge base."""

    def match(self, question: str, top: int = 3) -> MatchResult: ...

    def entry(self, entry_id: str) -> Entry | None: ...

    def refresh(self) -> None:
        """Picks up edits; called outside the conversation's transaction."""


HUMAN = Button("go.human", "go:human")


def answer_buttons(log_id: int | None) -> tuple[tuple[Button, ...], ...]:
    """What every rule answer offers: was it helpful (votes on the answer's log row), and a person."""
    return ((Button("feedback.yes", f"fb:{log_id}:y"), Button("feedback.no", f"fb:{log_id}:n")), (HUMAN,))


def entry_reply(entry: Entry, platform: str, language: str = "en", buttons: tuple[tuple[Button, ...], ...] = ()) -> Reply:
    """An entry as users read it; the console's preview renders the same reply for each channel."""
    context = {
        "title": entry.title,
        "answer": entry.public_answer(platform),
        "reviewed": entry.last_reviewed,
        "language": language,
    }
    return Reply("answers/entry.j2", context, buttons)


def reports_suspension(text: str) -> bool:
    return bool(SUSPENSION_WORDS.search(text))


class RuleAnswers:
    def __init__(self, rulebook: RuleBook | None, platform: str) -> None:
        self.rulebook = rulebook
        self.platform = platform

    def refresh(self) -> None:
        if self.rulebook is not None:
            self.rulebook.refresh()

    def answer(self, turn: Turn, question: str, confident_only: bool = False) -> bool:
        """Answers confidently, offers the closest entries, or says honestly that we do not know.

        With `confident_only`, only a confident answer is given (another reply follows anyway), and
        nothing is remembered otherwise. Returns whether the answer was a confident one.
        """
        result = self.rulebook.match(question, top=3) if self.rulebook is not None else None
        if confident_only and (result is None or result.outcome != "confident"):
            return False
        turn.memo.asked(question)
        if self.rulebook is None or result is None:
            turn.add(Reply("answers/unavailable.j2", {}, ((HUMAN,),)))
            return False
        top = result.matches[0] if result.matches else None
        log_id = _record(
            turn, question, result.outcome, top.entry_id if top else None, float(top.score) if top else 0.0
        )
        if result.outcome == "confident" and top is not None:
            self.show_entry(turn, top.entry_id, log_id)
            return True
        candidates = [entry for match in result.matches if (entry := self.rulebook.entry(match.entry_id))]
        if result.outcome == "ambiguous" and candidates:
            rows = tuple((Button("kb.entry", f"kb:{entry.id}", params={"title": entry.title}),) for entry in candidates)
            turn.add(Reply("answers/choices.j2", {"question": question}, (*rows, (HUMAN,))))
            return False
        turn.add(Reply("answers/none.j2", {"question": question}, ((HUMAN,),)))
        return False

    def show_entry(self, turn: Turn, entry_id: str, log_id: int | None = None) -> None:
        entry = self.rulebook.entry(entry_id) if self.rulebook else None
        if entry is None:
            turn.say("errors/stale_button.j2")
            return
        if log_id is None:
            log_id = _record(turn, turn.memo.last_question or "", "chosen", entry.id, 1.0)
        language = question_language(turn.memo.last_question or "")
        turn.add(entry_reply(entry, self.platform, language, answer_buttons(log_id)))

    def feedback(self, turn: Turn, action: str) -> None:
        answer_id, _, verdict = action.partition(":")
        number = row_id(answer_id)
        log = turn.session.get(RuleAnswer, number) if number is not None else None
        if log is None or log.user_id != turn.user.id or verdict not in ("y", "n"):
            turn.say("errors/stale_button.j2")
            return
        log.helpful = verdict == "y"
        turn.session.add(log)
        turn.add(Reply("answers/feedback.j2", {"helpful": log.helpful}, () if log.helpful else ((HUMAN,),)))

    def suggest(self, text: str, limit: int = 3) -> list[str]:
        """Entries an agent may want at hand for a ticket: the best matches for what the user wrote."""
        if self.rulebook is None or not text.strip():
            return []
        return [match.entry_id for match in self.rulebook.match(text, top=limit).matches[:limit]]


def _record(turn: Turn, question: str, outcome: str, entry_id: str | None, score: float) -> int | None:
    """Logs what the user was shown, so their "was this helpful?" answer has something to attach to."""
    log = RuleAnswer(
        user_id=turn.user.id or 0,
        question=question[:2000],
        outcome=outcome,
        entry_id=entry_id,
        score=score,
        at=turn.now,
    )
    turn.session.add(log)
    turn.session.flush()
    turn.memo.last_answer = log.id
    return log.id


def person_asked(turn: Turn) -> None:
    """The user asks for a person: their last rule answer did not settle it (what the metrics count)."""
    log = turn.session.get(RuleAnswer, turn.memo.last_answer) if turn.memo.last_answer is not None else None
    if log is not None and log.user_id == turn.user.id and log.person_asked_at is None:
        log.person_asked_at = turn.now
        turn.session.add(log)
    turn.memo.last_answer = None
