"""Match a user's question to knowledge entries and say how sure we are: confident, ambiguous or none.

Two families of signals, fused at score level (a weighted sum, so the absolute scores that confidence needs are
kept; fusing ranks would throw them away):
- lexical (0..1): weighted sum of IDF coverage, closest-question TF-IDF cosine (index.py) and a RapidFuzz
  token-sort similarity on the lexical shortlist (`WORDS`); exact about words, blind to other languages and
  synonyms. Their shares are fitted with the rest of the fusion.
- semantic (0..1): multilingual-e5 cosines to the entry's example questions (a soft vote of the nearest), to
  their centroid and to the answer (semantic.py), mixed and mapped from e5's narrow band (unrelated texts sit
  near 0.8) onto 0..1.
The lexical weight is scaled by `reach`, the IDF share of the question's words that some entry uses: a Russian
question that the lexical index cannot read is judged on meaning alone. Long messages are scored per sentence
window (windows.py). The best few candidates are then re-ordered by a learned reranker (rerank.py), which also
weighs the e5 views in whitened space, where what sets related entries apart counts. How sure we are comes
from a calibrated model over several signals (confidence.py), with its own thresholds for long messages and
other languages. Weights and models come from `kb calibrate`
(cross-validated, knowledge/matcher.yaml); without the embedding model the lexical score is used alone, with a
model of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Literal

import numpy as np
import yaml
from rapidfuzz import fuzz, process

from bot.core.knowledge.confidence import Confidence, Group, Outcome, Thresholds, group
from bot.core.knowledge.embedding import Embedder
from bot.core.knowledge.entry import Entry, load_dir
from bot.core.knowledge.index import TermIndex
from bot.core.knowledge.language import question_language
from bot.core.knowledge.normalise import Lexicon, Normaliser, load_lexicon
from bot.core.knowledge.rerank import DEPTH, Reranker
from bot.core.knowledge.semantic import MEANINGS, SemanticIndex, embed_entries
from bot.core.knowledge.windows import is_long, sentence_windows

Family = Literal["fused", "lexical"]
FAMILIES: tuple[Family, ...] = ("fused", "lexical")
HEAD_CHARS = 1200  # huge pastes: the question is usually at the start or at the end
TAIL_CHARS = 400
SHORTLIST = 12
SHORTLIST_WEIGHTS = (0.50, 0.25)  # coverage, similarity: which entries get the (costlier) fuzzy comparison
WORDS = ("coverage", "similarity", "fuzzy")  # rows of `TextSignals.words`
# Only the most promising window of a long message is scored: every further window is one more chance for a
# sentence of the story to outscore the question (the max over windows inflates scores; in 5-fold CV two windows
# gave long messages top-1 0.73 against 0.80 for one, three 0.67), and embedding costs ~1 ms per token.
EMBEDDED_WINDOWS = 1


@dataclass(frozen=True)
class Match:
    entry_id: str
    score: float
    title: str


@dataclass(frozen=True)
class MatchResult:
    """`matches` are the best candidates, best first, whatever the outcome; `outcome` says how to use them.

    `probability` is the calibrated chance that the first match is right (None when uncalibrated).
    """

    outcome: Outcome
    matches: list[Match]
    probability: float | None = None

    @property
    def confident(self) -> bool:
        return self.outcome == "confident"


@dataclass(frozen=True)
class Fusion:
    """score = w * lexical + (1 - w) * semantic, with w = `lexical` x reach; each mixes its own signals by shares."""

    lexical: float = 0.5
    coverage: float = 2.0  # shares of the three word signals (WORDS) in the lexical score
    similarity: float = 1.0
    fuzzy: float = 1.0
    neighbours: float = 1.0  # shares of the three e5 cosines (semantic.MEANINGS) in the semantic score
    centroid: float = 1.0
    answer: float = 1.0
    floor: float = 0.75  # e5 cosine that counts as no resemblance at all

    def words(self, words: np.ndarray) -> np.ndarray:
        shares = np.array([self.coverage, self.similarity, self.fuzzy])
        return np.asarray(shares @ words / shares.sum())

    def semantic(self, meaning: np.ndarray) -> np.ndarray:
        shares = np.array([self.neighbours, self.centroid, self.answer])
        mixed = shares @ meaning / shares.sum()
        return np.clip((mixed - self.floor) / (1 - self.floor), 0.0, 1.0)


@dataclass(frozen=True)
class MatcherConfig:
    """Everything `kb calibrate` chooses, saved in knowledge/matcher.yaml: fusion weights, the reranker (for
    signals with meaning; the lexical fallback keeps the fused order) and, per family of signals, the confidence
    model; `thresholds` decide for a family that has no model."""

    fusion: Fusion = field(default_factory=Fusion)
    thresholds: Thresholds = field(default_factory=Thresholds)
    confidence: dict[str, Confidence] = field(default_factory=dict)
    rerank: Reranker | None = None

    @classmethod
    def load(cls, path: str | Path) -> MatcherConfig:
        file = Path(path)
        data = (yaml.safe_load(file.read_text(encoding="utf-8")) if file.is_file() else None) or {}
        rerank = data.get("rerank")
        return cls(
            Fusion(**_known(Fusion, data.get("fusion"))),
            Thresholds(**_known(Thresholds, data.get("thresholds"))),
            {family: Confidence.from_dict(model) for family, model in (data.get("confidence") or {}).items()},
            Reranker.from_dict(rerank) if isinstance(rerank, dict) else None,
        )

    def dump(self) -> str:
        data: dict[str, object] = {
            "fusion": asdict(self.fusion),
            "thresholds": asdict(self.thresholds),
            "confidence": {family: model.to_dict() for family, model in self.confidence.items()},
        }
        if self.rerank is not None:
            data["rerank"] = self.rerank.to_dict()
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _known(kind: type, data: object) -> dict[str, float]:
    names = {item.name for item in fields(kind)}
    return {key: float(value) for key, value in (data if isinstance(data, dict) else {}).items() if key in names}


@dataclass(frozen=True)
class TextSignals:
    """Raw signals of one scored text (the question, or one window of a long one), per entry."""

    text: str
    words: np.ndarray  # rows as WORDS, one column per entry
    reach: float
    meaning: np.ndarray | None  # rows as semantic.MEANINGS; None without the embedding model
    contrast: np.ndarray | None = None  # rows as semantic.CONTRASTS; None without the embedding model


@dataclass(frozen=True)
class Signals:
    """Everything needed to score a question under any fusion: calibration re-fuses these without re-embedding."""

    texts: list[TextSignals]
    long: bool
    language: str = "en"

    @property
    def family(self) -> Family:
        """Which confidence model applies: with or without meaning."""
        return "lexical" if any(text.meaning is None for text in self.texts) else "fused"

    @property
    def group(self) -> Group:
        return group(self.long, self.language)

    def lexical_only(self) -> Signals:
        """The same question as the lexical fallback sees it."""
        return replace(self, texts=[replace(text, meaning=None, contrast=None) for text in self.texts])


@dataclass(frozen=True)
class Fused:
    """Per entry: its fused score and the parts of it, taken from the entry's best text."""

    score: np.ndarray
    lexical: np.ndarray
    semantic: np.ndarray | None
    weight: np.ndarray  # the lexical weight used
    text: np.ndarray  # index of the best text in Signals.texts
    utility: np.ndarray | None = None  # the reranker's weighted sum of the rows it re-orders (NaN for the rest)

    def order(self, top: int) -> np.ndarray:
        """Best first: the reranked rows by utility, then the rest by score (None: all by score)."""
        by_score = np.argsort(-self.score, kind="stable")
        if self.utility is None:
            return by_score[:top]
        reranked = by_score[~np.isnan(self.utility[by_score])]
        first = reranked[np.argsort(-self.utility[reranked], kind="stable")]
        return np.concatenate([first, by_score[np.isnan(self.utility[by_score])]])[:top]


def features(fused: Fused, signals: Signals) -> np.ndarray:
    """The confidence model's inputs for the best entry, in confidence.FEATURES order."""
    first, second = (*fused.order(2), -1)[:2]
    runner_up = float(fused.score[second]) if second >= 0 else 0.0
    semantic = fused.semantic
    text = signals.texts[int(fused.text[first])] if signals.texts else None
    meaning = text.meaning if text else None
    return np.array(
        [
            fused.score[first],
            fused.score[first] - runner_up,
            fused.lexical[first],
            0.0 if semantic is None else semantic[first],
            float(np.argmax(fused.lexical) == first),
            0.0 if semantic is None else float(np.argmax(semantic) == first),
            text.reach if text else 0.0,
            float(signals.long),
            float(signals.language != "en"),
            _lead(fused.lexical, first),
            0.0 if semantic is None else _lead(semantic, first),
            0.0 if meaning is None else float(meaning[0, first]),
            0.0 if meaning is None else float(np.mean(np.argmax(meaning, axis=1) == first)),
        ]
    )


def _lead(scores: np.ndarray, row: int) -> float:
    """How far `row` is ahead of every other entry on one signal (negative when another is ahead)."""
    others = np.delete(scores, row)
    return float(scores[row] - others.max()) if len(others) else float(scores[row])


@dataclass(frozen=True)
class Explanation:
    """Why an entry got its score: shown by `/kb test` to admins."""

    entry_id: str
    score: float
    lexical: float
    semantic: float | None
    lexical_weight: float
    window: str | None  # the part of a long message that matched
    meanings: dict[str, float] | None = None  # the raw e5 cosines behind `semantic`
    rerank: float | None = None  # the reranker's weighted sum, which set the order of the first few


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
        """Per scored text: lexical scores, reach and (with the model) the cosines; no texts if nothing to read."""
        text = _clip(question)
        long = is_long(text)
        candidates = sentence_windows(text) if long else [text]
        scored = [(window, *self._lexical(window)) for window in candidates]
        scored = [item for item in scored if item[3]]  # windows with no content word say nothing
        if long:
            # The question itself first (people end it with "?"), then the windows the lexical index likes best.
            scored.sort(
                key=lambda item: ("?" in item[0], float(self.config.fusion.words(item[1]).max(initial=0.0))),
                reverse=True,
            )
            scored = scored[:EMBEDDED_WINDOWS]
        meanings = self._meanings([window for window, *_ in scored])
        texts = [
            TextSignals(window, words, reach, *meaning)
            for (window, words, reach, _), meaning in zip(scored, meanings, strict=True)
        ]
        return Signals(texts, long, question_language(text))

    def _lexical(self, text: str) -> tuple[np.ndarray, float, bool]:
        """The word signals (rows as WORDS), reach, and whether the text has any content word at all."""
        terms = self.normaliser.terms(text)
        known, unknown = self.index.resolve(terms)
        total = sum(known.values()) + unknown * self.index.unknown_idf
        if not known:
            return np.zeros((len(WORDS), len(self.entries))), 0.0, bool(terms)
        coverage = self.index.coverage(known, unknown)
        similarity = self.index.similarity(known, unknown)
        fuzzy = self._fuzzy(" ".join(terms), SHORTLIST_WEIGHTS[0] * coverage + SHORTLIST_WEIGHTS[1] * similarity)
        return np.stack([coverage, similarity, fuzzy]), sum(known.values()) / total, True

    def _meanings(self, texts: list[str]) -> list[tuple[np.ndarray | None, np.ndarray | None]]:
        """The e5 cosines, raw and whitened, of each text (all embedded in one call); None without the model."""
        if self.embedder is None or self.semantic is None or not texts:
            return [(None, None)] * len(texts)
        semantic = self.semantic
        return [
            (semantic.cosines(vector), semantic.contrasts(vector)) for vector in self.embedder.embed_questions(texts)
        ]

    def fuse(self, signals: Signals, fusion: Fusion | None = None) -> Fused:
        """Score per entry (its best text) and the parts it was made of, under `fusion` (default: configured)."""
        fusion = fusion or self.config.fusion
        size = len(self.entries)
        best, lexical, weight = np.zeros(size), np.zeros(size), np.ones(size)
        semantic: np.ndarray | None = None
        chosen = np.zeros(size, dtype=np.int64)
        for number, text in enumerate(signals.texts):
            words = fusion.words(text.words)
            if text.meaning is None:
                meaning, share, score = None, 1.0, words
            else:
                meaning = fusion.semantic(text.meaning)
                share = fusion.lexical * text.reach
                score = share * words + (1 - share) * meaning
            better = (score > best) | (number == 0)
            best = np.where(better, score, best)
            lexical = np.where(better, words, lexical)
            weight = np.where(better, share, weight)
            if meaning is not None:
                semantic = np.where(better, meaning, meaning if semantic is None else semantic)
            chosen = np.where(better, number, chosen)
        return Fused(best, lexical, semantic, weight, chosen)

    def rank(self, signals: Signals, fusion: Fusion | None = None, reranker: Reranker | None = None) -> Fused:
        """`fuse`, then the first `DEPTH` candidates in the reranker's order (signals without meaning keep theirs)."""
        fused = self.fuse(signals, fusion)
        candidates = None if reranker is None else self.candidates(fused, signals)
        if reranker is None or candidates is None:
            return fused
        utility = np.full(len(fused.score), np.nan)
        utility[fused.order(DEPTH)] = reranker.utility(candidates)
        return replace(fused, utility=utility)

    def candidates(self, fused: Fused, signals: Signals) -> np.ndarray | None:
        """The reranker's inputs (rerank.FEATURES) for the first `DEPTH` rows by fused score; None without meaning."""
        stacked = []
        for text in signals.texts:
            if text.meaning is None or text.contrast is None:
                return None
            stacked.append(np.vstack([text.meaning, text.contrast]))
        if fused.semantic is None or not stacked:
            return None
        rows = fused.order(DEPTH)
        return np.array(
            [
                [fused.score[row], fused.lexical[row], fused.semantic[row], *stacked[int(fused.text[row])][:, row]]
                for row in rows
            ]
        )

    def scores(self, question: str) -> np.ndarray:
        """Score of every entry for one question, in entry order."""
        return self.fuse(self.signals(question)).score

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
        fused = self.rank(signals, config.fusion, config.rerank)
        if not signals.texts or not fused.score.max(initial=0.0) > 0:
            return MatchResult("none", []), []
        order = fused.order(max(top, 2))
        model = config.confidence.get(signals.family)
        probability = None
        if model is None:
            runner_up = float(fused.score[order[1]]) if len(order) > 1 else 0.0
            outcome = config.thresholds.outcome(float(fused.score[order[0]]), runner_up)
        else:
            inputs = features(fused, signals)
            probability = round(model.probability(inputs), 4)
            outcome = model.outcome(inputs, signals.group)
        rows = order[:top]
        matches = [
            Match(self.entries[row].id, round(float(fused.score[row]), 4), self.entries[row].title) for row in rows
        ]
        return MatchResult(outcome, matches, probability), [self._explain(fused, signals, row) for row in rows]

    def _explain(self, fused: Fused, signals: Signals, row: int) -> Explanation:
        text = signals.texts[int(fused.text[row])]
        return Explanation(
            self.entries[row].id,
            round(float(fused.score[row]), 4),
            round(float(fused.lexical[row]), 4),
            None if fused.semantic is None else round(float(fused.semantic[row]), 4),
            round(float(fused.weight[row]), 4),
            text.text if signals.long else None,
            None
            if text.meaning is None
            else {name: round(float(v), 4) for name, v in zip(MEANINGS, text.meaning[:, row], strict=True)},
            None if fused.utility is None or np.isnan(fused.utility[row]) else round(float(fused.utility[row]), 4),
        )

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
