"""Match a user's question to knowledge entries and say how sure we are: confident, ambiguous or none.

Two families of signals, fused at score level (a weighted sum, so the absolute scores that confidence needs are
kept; fusing ranks would throw them away):
- lexical (0..1): weighted sum of IDF coverage, closest-question TF-IDF cosine (index.py) and a RapidFuzz
  token-sort similarity on the lexical shortlist; exact about words, blind to other languages and synonyms.
- semantic (0..1): multilingual-e5 cosine to the closest example question and to the answer's opening
  (semantic.py), mapped from e5's narrow band (unrelated texts sit near 0.8) onto 0..1.
The lexical weight is scaled by `reach`, the IDF share of the question's words that some entry uses: a Russian
question that the lexical index cannot read is judged on meaning alone. Long messages are scored per sentence
window (windows.py) with their own thresholds. Weights and thresholds come from `kb calibrate` (cross-validated,
knowledge/matcher.yaml); without the embedding model the lexical score is used alone, with its own thresholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np
import yaml
from rapidfuzz import fuzz, process

from bot.core.knowledge.embedding import Embedder
from bot.core.knowledge.entry import Entry, load_dir
from bot.core.knowledge.index import TermIndex
from bot.core.knowledge.normalise import Lexicon, Normaliser, load_lexicon
from bot.core.knowledge.semantic import SemanticIndex, embed_entries
from bot.core.knowledge.windows import is_long, sentence_windows

Outcome = Literal["confident", "ambiguous", "none"]
Mode = Literal["fused", "fused-long", "lexical", "lexical-long"]
MODES: tuple[Mode, ...] = ("fused", "fused-long", "lexical", "lexical-long")
HEAD_CHARS = 1200  # huge pastes: the question is usually at the start or at the end
TAIL_CHARS = 400
SHORTLIST = 12
WEIGHTS = (0.50, 0.25, 0.25)  # coverage, similarity, fuzzy
EMBEDDED_WINDOWS = 2  # embedding costs ~1 ms per token: only the most promising windows of a long message


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

    def outcome(self, best: float, runner_up: float) -> Outcome:
        if best >= self.confident and best - runner_up >= self.margin:
            return "confident"
        return "ambiguous" if best >= self.ambiguous else "none"


@dataclass(frozen=True)
class Fusion:
    """score = w * lexical + (1 - w) * semantic, with w = `lexical` x reach; semantic mixes its two cosines."""

    lexical: float = 0.5
    questions: float = 0.7  # share of the closest-question cosine; the rest is the answer's
    floor: float = 0.75  # e5 cosine that counts as no resemblance at all


@dataclass(frozen=True)
class MatcherConfig:
    """Everything `kb calibrate` chooses, saved in knowledge/matcher.yaml."""

    fusion: Fusion = field(default_factory=Fusion)
    thresholds: dict[str, Thresholds] = field(default_factory=lambda: {mode: Thresholds() for mode in MODES})

    @classmethod
    def uniform(cls, thresholds: Thresholds, fusion: Fusion | None = None) -> MatcherConfig:
        return cls(fusion or Fusion(), {mode: thresholds for mode in MODES})

    @classmethod
    def load(cls, path: str | Path) -> MatcherConfig:
        file = Path(path)
        data = (yaml.safe_load(file.read_text(encoding="utf-8")) if file.is_file() else None) or {}
        found = data.get("thresholds") or {}
        return cls(
            Fusion(**{key: float(value) for key, value in (data.get("fusion") or {}).items()}),
            {mode: Thresholds(**{k: float(v) for k, v in (found.get(mode) or {}).items()}) for mode in MODES},
        )

    def dump(self) -> str:
        data = {"fusion": asdict(self.fusion), "thresholds": {mode: asdict(self.thresholds[mode]) for mode in MODES}}
        return yaml.safe_dump(data, sort_keys=False)


@dataclass(frozen=True)
class TextSignals:
    """Raw signals of one scored text (the question, or one window of a long one), per entry."""

    text: str
    lexical: np.ndarray
    reach: float
    closest: np.ndarray | None  # None without the embedding model
    answer: np.ndarray | None


@dataclass(frozen=True)
class Signals:
    """Everything needed to score a question under any fusion: calibration re-fuses these without re-embedding."""

    texts: list[TextSignals]
    long: bool

    @property
    def mode(self) -> Mode:
        """Which thresholds apply: with or without meaning, short or long."""
        lexical = any(text.closest is None for text in self.texts)
        return MODES[2 * lexical + self.long]

    def lexical_only(self) -> Signals:
        """The same question as the lexical fallback sees it."""
        return Signals([replace(text, closest=None, answer=None) for text in self.texts], self.long)


@dataclass(frozen=True)
class Explanation:
    """Why an entry got its score: shown by `/kb test` to admins."""

    entry_id: str
    score: float
    lexical: float
    semantic: float | None
    lexical_weight: float
    window: str | None  # the part of a long message that matched


class Matcher:
    """Build once per set of entries (the index is immutable); `match` is then cheap and thread-safe.

    `semantic` is the embedder with each entry's vectors (rows as semantic.entry_texts), or None for lexical only.
    """

    def __init__(
        self,
        entries: Sequence[Entry],
        synonyms: Lexicon | None = None,
        config: MatcherConfig | None = None,
        semantic: tuple[Embedder, Sequence[np.ndarray]] | None = None,
    ) -> None:
        self.entries = list(entries)
        self.normaliser = Normaliser(synonyms)
        self.config = config or MatcherConfig()
        self.index = TermIndex(self.entries, self.normaliser)
        self.embedder = semantic[0] if semantic else None
        self.semantic = SemanticIndex(semantic[1]) if semantic else None

    @classmethod
    def from_dir(cls, path: str | Path, embedder: Embedder | None = None) -> Matcher:
        """Entries, synonyms.yaml and matcher.yaml of a knowledge folder (the last two optional), embedded here."""
        folder = Path(path)
        synonyms = folder / "synonyms.yaml"
        entries = load_dir(folder)
        return cls(
            entries,
            load_lexicon(synonyms) if synonyms.is_file() else None,
            MatcherConfig.load(folder / "matcher.yaml"),
            (embedder, embed_entries(embedder, entries)) if embedder else None,
        )

    def signals(self, question: str) -> Signals:
        """Per scored text: lexical scores, reach and (with the model) both cosines; no texts if nothing to read."""
        text = _clip(question)
        long = is_long(text)
        candidates = sentence_windows(text) if long else [text]
        scored = [(window, *self._lexical(window)) for window in candidates]
        scored = [item for item in scored if item[3]]  # windows with no content word say nothing
        if long:
            # The question itself first (people end it with "?"), then the windows the lexical index likes best.
            scored.sort(key=lambda item: ("?" in item[0], float(item[1].max(initial=0.0))), reverse=True)
            scored = scored[:EMBEDDED_WINDOWS]
        return Signals([self._with_meaning(window, lexical, reach) for window, lexical, reach, _ in scored], long)

    def _lexical(self, text: str) -> tuple[np.ndarray, float, bool]:
        """Lexical scores, reach, and whether the text has any content word at all."""
        terms = self.normaliser.terms(text)
        known, unknown = self.index.resolve(terms)
        total = sum(known.values()) + unknown * self.index.unknown_idf
        if not known:
            return np.zeros(len(self.entries)), 0.0, bool(terms)
        coverage = self.index.coverage(known, unknown)
        similarity = self.index.similarity(known, unknown)
        lexical = WEIGHTS[0] * coverage + WEIGHTS[1] * similarity
        lexical = lexical + WEIGHTS[2] * self._fuzzy(" ".join(terms), lexical)
        return lexical, sum(known.values()) / total, True

    def _with_meaning(self, text: str, lexical: np.ndarray, reach: float) -> TextSignals:
        if self.embedder is None or self.semantic is None:
            return TextSignals(text, lexical, reach, None, None)
        closest, answer = self.semantic.cosines(self.embedder.embed_one(text))
        return TextSignals(text, lexical, reach, closest, answer)

    def fuse(self, signals: Signals, fusion: Fusion | None = None) -> tuple[np.ndarray, list[Explanation]]:
        """Score per entry (its best text) and how each was made, under `fusion` (default: the configured one)."""
        fusion = fusion or self.config.fusion
        best = np.zeros(len(self.entries))
        parts: list[tuple[np.ndarray, np.ndarray | None, float, int]] = []
        chosen = np.zeros(len(self.entries), dtype=np.int64)
        for number, text in enumerate(signals.texts):
            if text.closest is None or text.answer is None:
                semantic, weight, score = None, 1.0, text.lexical
            else:
                mixed = fusion.questions * text.closest + (1 - fusion.questions) * text.answer
                semantic = np.clip((mixed - fusion.floor) / (1 - fusion.floor), 0.0, 1.0)
                weight = fusion.lexical * text.reach
                score = weight * text.lexical + (1 - weight) * semantic
            better = score > best
            best = np.where(better, score, best)
            chosen = np.where(better, number, chosen)
            parts.append((text.lexical, semantic, weight, number))
        explanations = []
        for row, entry in enumerate(self.entries):
            if not parts:
                break
            lexical, semantic, weight, number = parts[int(chosen[row])]
            explanations.append(
                Explanation(
                    entry.id,
                    round(float(best[row]), 4),
                    round(float(lexical[row]), 4),
                    None if semantic is None else round(float(semantic[row]), 4),
                    round(weight, 4),
                    signals.texts[number].text if signals.long else None,
                )
            )
        return best, explanations

    def scores(self, question: str) -> np.ndarray:
        """Score of every entry for one question, in entry order."""
        return self.fuse(self.signals(question))[0]

    def match(self, question: str, top: int = 3) -> MatchResult:
        return self.decide(self.signals(question), top)[0]

    def explain(self, question: str, top: int = 3) -> tuple[MatchResult, list[Explanation]]:
        """The result and, for each match, which signals gave which score."""
        return self.decide(self.signals(question), top)

    def decide(
        self, signals: Signals, top: int, config: MatcherConfig | None = None
    ) -> tuple[MatchResult, list[Explanation]]:
        """Outcome and matches from signals, under `config` (default: the configured one)."""
        config = config or self.config
        scores, explanations = self.fuse(signals, config.fusion)
        if not len(scores) or not scores.max() > 0:
            return MatchResult("none", []), []
        order = np.argsort(-scores, kind="stable")[: max(top, 2)]
        runner_up = float(scores[order[1]]) if len(order) > 1 else 0.0
        outcome = config.thresholds[signals.mode].outcome(float(scores[order[0]]), runner_up)
        rows = order[:top]
        matches = [Match(self.entries[row].id, round(float(scores[row]), 4), self.entries[row].title) for row in rows]
        return MatchResult(outcome, matches), [explanations[row] for row in rows]

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


def _clip(question: str) -> str:
    """Bound the work for huge inputs while keeping both ends, where people put their actual question."""
    if len(question) <= HEAD_CHARS + TAIL_CHARS:
        return question
    return question[:HEAD_CHARS] + " " + question[-TAIL_CHARS:]
