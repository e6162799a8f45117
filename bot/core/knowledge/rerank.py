"""Re-order the best few candidates with a model learned from labelled questions: near-ties are where ranks fail.

Most wrong first answers have the right entry second, a few hundredths behind, often an entry it lists as
`related`: the fused score (a fixed mix chosen on top-1) cannot tell them apart. The reranker weighs, per
candidate, the fused score, its two halves, the raw e5 views and the whitened ones (semantic.CONTRASTS: what
sets an entry apart from the others), and puts the candidates in the order of that weighted sum. The weights are
a pairwise logistic regression: for each training question, every right candidate against every wrong one among
the first `DEPTH`, so only the differences between candidates of one question count. `kb calibrate` fits it on
the training questions only (inside each cross-validation fold) and saves it in matcher.yaml.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.core.knowledge.logistic import fit_logistic

DEPTH = 5  # candidates re-ordered; by fused score the right entry is among the first five for 97% of in-scope ones
FEATURES = (
    "score",  # fused score
    "lexical",  # its word half
    "semantic",  # its meaning half
    "neighbours",  # raw e5 views (semantic.MEANINGS)
    "centroid",
    "answer",
    "contrast_neighbours",  # whitened views (semantic.CONTRASTS)
    "contrast_centroid",
)


@dataclass(frozen=True)
class Reranker:
    """A linear utility per candidate (rows of `FEATURES`); the candidates are put in its order."""

    weights: tuple[float, ...]

    def utility(self, candidates: np.ndarray) -> np.ndarray:
        return np.asarray(candidates, dtype=np.float64) @ np.array(self.weights)

    def to_dict(self) -> dict[str, object]:
        return {"weights": {name: round(weight, 6) for name, weight in zip(FEATURES, self.weights, strict=True)}}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Reranker:
        weights = data.get("weights")
        assert isinstance(weights, dict), "rerank needs weights"
        return cls(tuple(float(weights.get(name, 0.0)) for name in FEATURES))


def fit_reranker(questions: Sequence[tuple[np.ndarray, np.ndarray]]) -> Reranker | None:
    """From (candidate features, which candidates are right) per question; None without a right-wrong pair.

    Each pair is seen both ways round (labels 1 and 0), so the fitted bias is zero and only the weights matter.
    """
    differences = [
        candidates[right] - candidates[wrong]
        for candidates, answers in questions
        for right in np.flatnonzero(answers)
        for wrong in np.flatnonzero(~answers)
    ]
    if not differences:
        return None
    pairs = np.array(differences)
    model = fit_logistic(np.vstack([pairs, -pairs]), np.r_[np.ones(len(pairs)), np.zeros(len(pairs))])
    return Reranker(model.weights)
