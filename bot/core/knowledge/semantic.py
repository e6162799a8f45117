"""Meaning-level signals: cosine of the question's embedding to each entry's example questions and answer.

An entry's vectors are one float32 array: its title, each example question, then its answer (rows in that order).
That array is what the database caches per entry revision (see library.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from bot.core.knowledge.embedding import DIMENSIONS, Embedder
from bot.core.knowledge.entry import Entry

RECIPE = "title+questions/answer-passage"  # what `embed_entries` embeds; part of the cache key


def embed_entries(embedder: Embedder, entries: Sequence[Entry]) -> list[np.ndarray]:
    """One array per entry: example questions as queries, the answer as a passage, each kind in one batch."""
    questions = [[entry.title, *entry.questions] for entry in entries]
    flat = embedder.embed([text for group in questions for text in group])
    answers = embedder.embed([f"{entry.title}. {entry.answer}" for entry in entries], passage=True)
    bounds = np.cumsum([0, *(len(group) for group in questions)])
    return [
        np.vstack([flat[start:stop], answers[row]])
        for row, (start, stop) in enumerate(itertools.pairwise(bounds))
    ]


def to_bytes(vectors: np.ndarray) -> bytes:
    return np.ascontiguousarray(vectors, dtype=np.float32).tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32).reshape(-1, DIMENSIONS)


NEIGHBOUR_TEMPERATURE = 0.02  # e5 cosines are close together: a small temperature lets the nearest few vote
MEANINGS = ("neighbours", "centroid", "answer")  # rows of `SemanticIndex.cosines`


class SemanticIndex:
    """All entries' question vectors in one matrix, so a question costs one matrix-vector product.

    Three views of how close an entry is in meaning, each stronger than the single closest example question:
    - neighbours: a soft vote of the entry's example questions (log-sum-exp of their cosines), so an entry whose
      several examples are near beats one with a single lucky example;
    - centroid: the cosine to the mean of the entry's title and examples (what the entry is about as a whole);
    - answer: the cosine to the answer as a passage (e5's asymmetric mode), which knows words no example uses.
    """

    def __init__(self, vectors: Sequence[np.ndarray]) -> None:
        self.size = len(vectors)
        units = [array[:-1] for array in vectors]
        flat = np.concatenate(units) if units else np.zeros((0, DIMENSIONS), dtype=np.float32)
        self.unit_entry = np.repeat(np.arange(self.size), [len(unit) for unit in units])
        centroids = np.stack([unit.mean(axis=0) for unit in units]) if units else flat
        centroids = centroids / np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
        answers = np.stack([array[-1] for array in vectors]) if vectors else flat
        # Every row a question is compared with, in one matrix: one product per question.
        self.rows = np.ascontiguousarray(np.concatenate([flat, centroids, answers]), dtype=np.float32)
        self.unit_count = len(flat)

    def cosines(self, question: np.ndarray) -> np.ndarray:
        """Rows as MEANINGS, one column per entry."""
        if not self.size:
            return np.zeros((len(MEANINGS), 0))
        # einsum's own loop, not BLAS: OpenBLAS spreads a product this size over every core, and on a busy
        # machine the call then waits for the other threads (at 1,000 entries 16 ms wall for 4 ms of CPU,
        # against 0.5 ms on one thread). Serving is many small calls: one thread each.
        found = np.einsum("ij,j->i", self.rows, np.asarray(question, dtype=np.float32)).astype(np.float64)
        units, centroids, answers = np.split(found, [self.unit_count, self.unit_count + self.size])
        peak = float(units.max())
        votes = np.bincount(self.unit_entry, np.exp((units - peak) / NEIGHBOUR_TEMPERATURE), self.size)
        neighbours = peak + NEIGHBOUR_TEMPERATURE * np.log(np.maximum(votes, 1e-300))
        return np.stack([np.minimum(neighbours, 1.0), centroids, answers])
