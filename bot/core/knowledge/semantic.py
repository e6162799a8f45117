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
    return [np.vstack([flat[start:stop], answers[row]]) for row, (start, stop) in enumerate(itertools.pairwise(bounds))]


def to_bytes(vectors: np.ndarray) -> bytes:
    return np.ascontiguousarray(vectors, dtype=np.float32).tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32).reshape(-1, DIMENSIONS)


NEIGHBOUR_TEMPERATURE = 0.02  # e5 cosines are close together: a small temperature lets the nearest few vote
MEANINGS = ("neighbours", "centroid", "answer")  # rows of `SemanticIndex.cosines`
CONTRASTS = ("neighbours", "centroid")  # rows of `SemanticIndex.contrasts`
CONTRAST_SHRINKAGE = 0.1  # share of the largest variance added to every direction: rare directions stay bounded
CONTRAST_TEMPERATURE = 0.1  # whitened cosines spread over ~0..0.5, five times e5's raw band


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
        self.shift, self.whiten = _whitening(flat, self.unit_entry, self.size)
        white = _unit((flat - self.shift) @ self.whiten) if len(flat) else flat
        white_centroids = np.zeros((self.size, DIMENSIONS), dtype=np.float32)
        np.add.at(white_centroids, self.unit_entry, white)
        self.contrast_rows = np.ascontiguousarray(np.concatenate([white, _unit(white_centroids)]), dtype=np.float32)

    def cosines(self, question: np.ndarray) -> np.ndarray:
        """Rows as MEANINGS, one column per entry."""
        if not self.size:
            return np.zeros((len(MEANINGS), 0))
        # einsum's own loop, not BLAS: OpenBLAS spreads a product this size over every core, and on a busy
        # machine the call then waits for the other threads (at 1,000 entries 16 ms wall for 4 ms of CPU,
        # against 0.5 ms on one thread). Serving is many small calls: one thread each.
        found = np.einsum("ij,j->i", self.rows, np.asarray(question, dtype=np.float32)).astype(np.float64)
        units, centroids, answers = np.split(found, [self.unit_count, self.unit_count + self.size])
        return np.stack([_soft_vote(units, self.unit_entry, self.size, NEIGHBOUR_TEMPERATURE), centroids, answers])

    def contrasts(self, question: np.ndarray) -> np.ndarray:
        """Rows as CONTRASTS: the same views as `cosines` in whitened space, where what sets entries apart counts.

        e5 puts every text in one narrow cone (unrelated texts at cosine 0.8), and most of a cosine is what all
        entries share. Whitening by the spread of each entry's own example questions around their mean (the
        within-entry covariance, as in linear discriminant analysis) scales down the directions in which an
        entry's own examples vary and up the ones that tell entries apart: "before" against "after a contract"
        weighs more than "contract". Only the entries' vectors are used, no labelled questions.
        """
        if not self.size:
            return np.zeros((len(CONTRASTS), 0))
        moved = np.asarray(question, dtype=np.float32) - self.shift
        white = np.einsum("ij,i->j", self.whiten, moved)  # one thread, as in `cosines`
        white /= max(float(np.linalg.norm(white)), 1e-12)
        found = np.einsum("ij,j->i", self.contrast_rows, white).astype(np.float64)
        units, centroids = np.split(found, [self.unit_count])
        return np.stack([_soft_vote(units, self.unit_entry, self.size, CONTRAST_TEMPERATURE), centroids])


def _soft_vote(cosines: np.ndarray, owners: np.ndarray, size: int, temperature: float) -> np.ndarray:
    """Log-sum-exp of each owner's cosines: several near examples beat one lucky one."""
    peak = float(cosines.max())
    votes = np.bincount(owners, np.exp((cosines - peak) / temperature), size)
    return np.minimum(peak + temperature * np.log(np.maximum(votes, 1e-300)), 1.0)


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def _whitening(units: np.ndarray, owners: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The mean of all example vectors and the matrix that whitens their within-entry spread (symmetric)."""
    if not len(units):
        return np.zeros(DIMENSIONS, dtype=np.float32), np.eye(DIMENSIONS, dtype=np.float32)
    values = units.astype(np.float64)
    means = np.zeros((size, DIMENSIONS))
    np.add.at(means, owners, values)
    means /= np.maximum(np.bincount(owners, minlength=size), 1)[:, None]
    spread = values - means[owners]
    variances, directions = np.linalg.eigh(spread.T @ spread / len(values))
    variances = np.maximum(variances, 0.0) + CONTRAST_SHRINKAGE * max(float(variances.max()), 1e-12)
    matrix = (directions / np.sqrt(variances)) @ directions.T
    return values.mean(axis=0).astype(np.float32), matrix.astype(np.float32)
