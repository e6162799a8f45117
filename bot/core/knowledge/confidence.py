"""How sure the matcher is of its best entry: a calibrated model over several signals, not one threshold.

One score cannot tell a right answer from a wrong one well: a question can score high on two related entries,
a long message scores high on some window, a Russian question scores on meaning alone. So the probability that
the best entry is right is a logistic model (logistic.py) over signals of the best entry and the race behind it
(`FEATURES`), fitted by `kb calibrate` on labelled questions. A question is answered confidently when that
probability reaches its group's threshold: short English, long messages and other languages each have their
own, chosen so that few confident answers are wrong. Without a fitted model (a knowledge base never
calibrated) fixed score thresholds decide (`Thresholds`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from bot.core.knowledge.logistic import Logistic

Outcome = Literal["confident", "ambiguous", "none"]
Group = Literal["short", "long", "other-language"]
GROUPS: tuple[Group, ...] = ("short", "long", "other-language")
FEATURES = (
    "score",  # fused score of the best entry
    "margin",  # ... ahead of the second
    "lexical",  # its word score
    "semantic",  # its meaning score (0 without the model)
    "lexical_agrees",  # 1 if words alone would also put it first
    "semantic_agrees",  # 1 if meaning alone would also put it first
    "reach",  # share of the question's words that some entry uses
    "long",  # 1 for a long message (scored on its best window)
    "other_language",  # 1 if the question is not in English
    # Each family's own race: a fused lead built from one signal while the other prefers a rival is fragile.
    "lexical_margin",  # its word score minus the best word score of any other entry (negative: words prefer one)
    "semantic_margin",  # the same for its meaning score (0 without the model)
    "nearest",  # raw e5 cosine to its closest example question: a near paraphrase of an example is rarely wrong
    "views_agree",  # share of the three e5 views (semantic.MEANINGS) that put it first (0 without the model)
)


def group(long: bool, language: str) -> Group:
    return "long" if long else ("short" if language == "en" else "other-language")


@dataclass(frozen=True)
class Thresholds:
    """The uncalibrated rule: confident if top >= `confident` and ahead by `margin`; ambiguous if top >= `ambiguous`."""

    confident: float = 0.55
    margin: float = 0.08
    ambiguous: float = 0.30

    def outcome(self, best: float, runner_up: float) -> Outcome:
        if best >= self.confident and best - runner_up >= self.margin:
            return "confident"
        return "ambiguous" if best >= self.ambiguous else "none"


@dataclass(frozen=True)
class Confidence:
    """P(best entry is right) from `FEATURES`; confident from its group's threshold; candidates from `ambiguous`."""

    model: Logistic
    thresholds: dict[str, float]
    ambiguous: float

    def probability(self, features: np.ndarray) -> float:
        return float(self.model.probability(features))

    def outcome(self, features: np.ndarray, question_group: Group) -> Outcome:
        if self.probability(features) >= self.thresholds.get(question_group, self.thresholds["short"]):
            return "confident"
        return "ambiguous" if features[0] >= self.ambiguous else "none"

    def to_dict(self) -> dict[str, object]:
        return {
            "weights": {name: round(weight, 6) for name, weight in zip(FEATURES, self.model.weights, strict=True)},
            "bias": round(self.model.bias, 6),
            "thresholds": {name: round(value, 6) for name, value in self.thresholds.items()},
            "ambiguous": round(self.ambiguous, 6),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Confidence:
        weights = data.get("weights")
        thresholds = data.get("thresholds")
        assert isinstance(weights, dict) and isinstance(thresholds, dict), "confidence needs weights and thresholds"
        return cls(
            Logistic(tuple(float(weights.get(name, 0.0)) for name in FEATURES), float(str(data.get("bias", 0.0)))),
            {str(name): float(value) for name, value in thresholds.items()},
            float(str(data.get("ambiguous", 0.0))),
        )
