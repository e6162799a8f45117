"""An inverted index over entry fields, scored with numpy over all entries at once.

Two lexical signals, both in 0..1:
- coverage: the IDF-weighted share of the question's terms that an entry knows (keywords and title count fully,
  example questions a bit less, the answer text least). Unknown question words count against every entry, so
  off-topic questions score low everywhere.
- similarity: TF-IDF cosine between the question and the closest single example question or title, which rewards
  phrasing that resembles a known question.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from bot.core.knowledge.entry import Entry
from bot.core.knowledge.normalise import Normaliser

FIELD_WEIGHTS = {"title": 1.0, "keywords": 0.8, "questions": 0.3, "answer": 0.25}
ANSWER_DF = 0.3  # answers mention many topics in passing; a word only there says less about what an entry is
TYPO_MIN_LENGTH = 5
TYPO_CUTOFF = 84.0


@dataclass(frozen=True)
class Postings:
    """CSR-style term -> (row, weight) lists: slicing `start[t]:start[t + 1]` gives term t's rows."""

    start: np.ndarray
    rows: np.ndarray
    weights: np.ndarray

    @classmethod
    def build(cls, vocabulary: int, cells: dict[tuple[int, int], float]) -> Postings:
        """Sorted by term then row with numpy: at 1,000 entries a worker builds ~100,000 cells at start-up."""
        keys = np.array(list(cells), dtype=np.int64).reshape(-1, 2)
        weights = np.fromiter(cells.values(), dtype=np.float64, count=len(cells))
        order = np.lexsort((keys[:, 1], keys[:, 0]))
        counts = np.bincount(keys[order, 0], minlength=vocabulary)
        return cls(np.concatenate(([0], np.cumsum(counts))), keys[order, 1], weights[order])

    def accumulate(self, terms: dict[int, float], size: int) -> np.ndarray:
        """Sum of term weight x query weight per row; rows of one term are distinct, so fancy `+=` is exact."""
        out = np.zeros(size)
        for term, query_weight in terms.items():
            lo, hi = self.start[term], self.start[term + 1]
            out[self.rows[lo:hi]] += self.weights[lo:hi] * query_weight
        return out


class TermIndex:
    """Entry- and unit-level postings for a fixed list of entries; units are each entry's title and questions."""

    def __init__(self, entries: Sequence[Entry], normaliser: Normaliser) -> None:
        self.normaliser = normaliser
        self.size = len(entries)
        self.vocabulary: dict[str, int] = {}
        entry_cells: dict[tuple[int, int], float] = {}
        unit_terms: list[list[int]] = []
        unit_entry: list[int] = []
        self.unit_texts: list[str] = []
        for row, entry in enumerate(entries):
            title = normaliser.terms(entry.title)
            questions = [normaliser.terms(question) for question in entry.questions]
            fields = {
                "keywords": [term for keyword in entry.keywords for term in normaliser.terms(keyword)],
                "title": title,
                "questions": [term for terms in questions for term in terms],
                "answer": normaliser.terms(entry.answer),
            }
            for name, terms in fields.items():
                for term in terms:
                    key = (self._term_id(term), row)
                    entry_cells[key] = max(entry_cells.get(key, 0.0), FIELD_WEIGHTS[name])
            for terms in (title, *questions):
                unit_terms.append([self.vocabulary[term] for term in terms])
                unit_entry.append(row)
                self.unit_texts.append(" ".join(terms))
        vocabulary = len(self.vocabulary)
        document_frequency = np.zeros(vocabulary)
        for (term_id, _row), weight in entry_cells.items():
            document_frequency[term_id] += 1.0 if weight > FIELD_WEIGHTS["answer"] else ANSWER_DF
        self.idf = np.log((self.size + 1) / (document_frequency + 0.5))
        self.unknown_idf = math.log((self.size + 1) / 0.5)
        self.entry_postings = Postings.build(vocabulary, entry_cells)
        self.unit_entry = np.array(unit_entry, dtype=np.int64)
        self.unit_postings = Postings.build(vocabulary, self._unit_cells(unit_terms))
        self.words = list(self.vocabulary)
        self.word_lengths = np.array([len(word) for word in self.words])
        self.unit_starts = np.flatnonzero(np.diff(self.unit_entry, prepend=-1))

    def _term_id(self, term: str) -> int:
        return self.vocabulary.setdefault(term, len(self.vocabulary))

    def _unit_cells(self, unit_terms: list[list[int]]) -> dict[tuple[int, int], float]:
        cells: dict[tuple[int, int], float] = {}
        for unit, terms in enumerate(unit_terms):
            unique = set(terms)
            norm = math.sqrt(sum(self.idf[term] ** 2 for term in unique)) or 1.0
            for term in unique:
                cells[(term, unit)] = float(self.idf[term]) / norm
        return cells

    def resolve(self, terms: list[str]) -> tuple[dict[int, float], int]:
        """Known term ids with their IDF, and how many words no entry uses (typos are fixed first)."""
        known: dict[int, float] = {}
        unknown = 0
        for term in dict.fromkeys(terms):
            term_id = self.vocabulary.get(term)
            if term_id is None:
                term_id = self._closest(term)
            if term_id is None:
                unknown += 1
            else:
                known[term_id] = max(known.get(term_id, 0.0), float(self.idf[term_id]))
        return known, unknown

    def _closest(self, term: str) -> int | None:
        """A misspelt word becomes the closest known word of similar length, if it is close enough."""
        if len(term) < TYPO_MIN_LENGTH or not term.isalpha():
            return None
        nearby = np.flatnonzero(np.abs(self.word_lengths - len(term)) <= 2)
        if not len(nearby):
            return None
        found = process.extractOne(term, [self.words[i] for i in nearby], scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
        return int(nearby[found[2]]) if found else None

    def coverage(self, known: dict[int, float], unknown: int) -> np.ndarray:
        total = sum(known.values()) + unknown * self.unknown_idf
        if not total:
            return np.zeros(self.size)
        return self.entry_postings.accumulate(known, self.size) / total

    def similarity(self, known: dict[int, float], unknown: int) -> np.ndarray:
        """Best cosine per entry over its units; units of an entry are contiguous, so `maximum.reduceat` works."""
        norm = math.sqrt(sum(weight**2 for weight in known.values()) + unknown * self.unknown_idf**2)
        if not norm or not len(self.unit_entry):
            return np.zeros(self.size)
        units = self.unit_postings.accumulate(known, len(self.unit_entry)) / norm
        best = np.zeros(self.size)
        best[self.unit_entry[self.unit_starts]] = np.maximum.reduceat(units, self.unit_starts)
        return best
