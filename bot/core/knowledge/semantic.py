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


class SemanticIndex:
    """All entries' question vectors in one matrix, so a question costs one matrix-vector product."""

    def __init__(self, vectors: Sequence[np.ndarray]) -> None:
        self.size = len(vectors)
        units = [array[:-1] for array in vectors]
        self.units = np.concatenate(units) if units else np.zeros((0, DIMENSIONS), dtype=np.float32)
        self.unit_starts = np.cumsum([0, *(len(unit) for unit in units)])[:-1]
        self.answers = np.stack([array[-1] for array in vectors]) if vectors else self.units

    def cosines(self, question: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per entry: the closest title or example question, and the answer."""
        if not self.size:
            return np.zeros(0), np.zeros(0)
        closest = np.maximum.reduceat(self.units @ question, self.unit_starts).astype(np.float64)
        return closest, (self.answers @ question).astype(np.float64)
