"""Match a user's question to knowledge entries and say how sure we are: confident, ambiguous or none.

Score per entry (0..1) = weighted sum of lexical coverage, closest-question cosine (see index.py) and a RapidFuzz
token-sort similarity to the closest example question, which catches near-verbatim phrasings and word order.
The fuzzy pass runs on the lexical shortlist only, so latency stays flat as the knowledge base grows.
Thresholds come from `kb calibrate` (knowledge/matcher.yaml), not from eyeballing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import yaml
from rapidfuzz import fuzz, process

from bot.core.knowledge.entry import Entry, load_dir
from bot.core.knowledge.index import TermIndex
from bot.core.knowledge.normalise import Lexicon, Normaliser, load_lexicon

Outcome = Literal["confident", "ambiguous", "none"]
HEAD_CHARS = 1200  # long pastes: the question is usually at the start or at the end
TAIL_CHARS = 400
SHORTLIST = 12
WEIGHTS = (0.50, 0.25, 0.25)  # coverage, similarity, fuzzy


@dataclass(frozen=True)
class Match:
    entry_id: str
    score: float
    title: str


@dataclass(frozen=True)
class MatchResult:
    """`matches` are the best candidates, best first, whatever the outcome; `outcome` says how to use them."""

    outcome: Outcome
    matches: list[Match]

    @property
    def confident(self) -> bool:
        return self.outcome == "confident"


@dataclass(frozen=True)
class Thresholds:
    """Confident: top score >= `confident` and ahead of the next entry by `margin`. Ambiguous: top >= `ambiguous`."""

    confident: float = 0.55
    margin: float = 0.08
    ambiguous: float = 0.30

    @classmethod
    def load(cls, path: str | Path) -> Thresholds:
        file = Path(path)
        if not file.is_file():
            return cls()
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        return cls(**{key: float(value) for key, value in (data.get("thresholds") or {}).items()})

    def dump(self) -> str:
        return yaml.safe_dump({"thresholds": asdict(self)}, sort_keys=False)


class Matcher:
    """Build once per set of entries (the index is immutable); `match` is then cheap and thread-safe."""

    def __init__(
        self, entries: Sequence[Entry], synonyms: Lexicon | None = None, thresholds: Thresholds | None = None
    ) -> None:
        self.entries = list(entries)
        self.normaliser = Normaliser(synonyms)
        self.thresholds = thresholds or Thresholds()
        self.index = TermIndex(self.entries, self.normaliser)

    @classmethod
    def from_dir(cls, path: str | Path) -> Matcher:
        """Entries, synonyms.yaml and matcher.yaml of a knowledge folder; the last two are optional."""
        folder = Path(path)
        synonyms = folder / "synonyms.yaml"
        return cls(
            load_dir(folder),
            load_lexicon(synonyms) if synonyms.is_file() else None,
            Thresholds.load(folder / "matcher.yaml"),
        )

    def scores(self, question: str) -> np.ndarray:
        """Score of every entry for one question, in entry order."""
        terms = self.normaliser.terms(_clip(question))
        known, unknown = self.index.resolve(terms)
        if not known:
            return np.zeros(len(self.entries))
        coverage = self.index.coverage(known, unknown)
        similarity = self.index.similarity(known, unknown)
        lexical = WEIGHTS[0] * coverage + WEIGHTS[1] * similarity
        return lexical + WEIGHTS[2] * self._fuzzy(" ".join(terms), lexical)

    def _fuzzy(self, text: str, lexical: np.ndarray) -> np.ndarray:
        """Token-sort similarity of the question to each shortlisted entry's closest title or example question."""
        shortlist = np.argsort(-lexical)[:SHORTLIST]
        shortlist = shortlist[lexical[shortlist] > 0]
        out = np.zeros(len(self.entries))
        if not len(shortlist):
            return out
        units = [np.arange(self.index.unit_starts[row], self._unit_stop(row)) for row in shortlist]
        flat = np.concatenate(units)
        similarity = process.cdist(
            [text],
            [self.index.unit_texts[unit] for unit in flat],
            scorer=fuzz.token_sort_ratio,
            workers=1,  # tiny: no threads
        )[0]
        offsets = np.cumsum([0, *(len(unit) for unit in units)])[:-1]
        out[shortlist] = np.maximum.reduceat(similarity, offsets) / 100.0
        return out

    def _unit_stop(self, row: int) -> int:
        starts = self.index.unit_starts
        return int(starts[row + 1]) if row + 1 < len(starts) else len(self.index.unit_entry)

    def match(self, question: str, top: int = 3) -> MatchResult:
        scores = self.scores(question)
        if not len(scores) or not scores.max() > 0:
            return MatchResult("none", [])
        order = np.argsort(-scores, kind="stable")[: max(top, 2)]
        best = float(scores[order[0]])
        runner_up = float(scores[order[1]]) if len(order) > 1 else 0.0
        if best >= self.thresholds.confident and best - runner_up >= self.thresholds.margin:
            outcome: Outcome = "confident"
        elif best >= self.thresholds.ambiguous:
            outcome = "ambiguous"
        else:
            outcome = "none"
        matches = [
            Match(self.entries[row].id, round(float(scores[row]), 4), self.entries[row].title) for row in order[:top]
        ]
        return MatchResult(outcome, matches)


def _clip(question: str) -> str:
    """Bound the work for huge inputs while keeping both ends, where people put their actual question."""
    if len(question) <= HEAD_CHARS + TAIL_CHARS:
        return question
    return question[:HEAD_CHARS] + " " + question[-TAIL_CHARS:]
