"""Choose matcher thresholds from labelled questions instead of by eye.

Every combination of (confident, margin, ambiguous) on a grid is scored at once with numpy. A question counts as
handled right when it is in scope and answered confidently with a right entry (1 point), in scope and ambiguous
with a right entry among the top 3 (half a point: the user still has to pick), or out of scope and rejected with
outcome none (1 point). We keep the best-scoring combination with confident-but-wrong <= 3% of all questions and
out-of-scope rejection >= 0.85; ties go to the stricter thresholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.core.knowledge.evaluation import Item
from bot.core.knowledge.matcher import Matcher, Thresholds

MAX_CONFIDENT_WRONG = 0.03
MIN_OOS_REJECTION = 0.85
AMBIGUOUS_CREDIT = 0.5


@dataclass(frozen=True)
class Calibration:
    thresholds: Thresholds
    accuracy: float
    confident_wrong: float
    oos_rejection: float
    confident: float


def calibrate(matcher: Matcher, item_sets: Sequence[Sequence[Item]]) -> Calibration | None:
    """Best thresholds, or None if none meet both constraints on every set (e.g. one set per labelled file).

    Checking each set separately keeps a small set with few out-of-scope questions from loosening the thresholds.
    The reported confident-but-wrong and rejection are the worst over the sets.
    """
    items = [item for item_set in item_sets for item in item_set]
    sets = np.repeat(np.arange(len(item_sets)), [len(item_set) for item_set in item_sets])
    best, second, top1_right, top3_right, in_scope = _features(matcher, items)
    wrong = ~(top1_right & in_scope)
    masks = [sets == n for n in range(len(item_sets)) if (sets == n).any()]
    margins = np.round(np.arange(0.0, 0.305, 0.01), 2)[:, None, None]
    ambiguous_levels = np.round(np.arange(0.05, 0.605, 0.01), 2)[None, :, None]
    found: Calibration | None = None
    # Ascending thresholds and `>=` on accuracy: among equals the stricter (safer) combination wins.
    for level in np.round(np.arange(0.20, 0.905, 0.01), 2):
        confident = (best >= level) & (best - second >= margins)
        ambiguous = ~confident & (best >= ambiguous_levels)
        confident = np.broadcast_to(confident, ambiguous.shape)
        none = ~confident & ~ambiguous
        points = np.where(in_scope, (confident & top1_right) + AMBIGUOUS_CREDIT * (ambiguous & top3_right), none)
        accuracy = points.mean(axis=-1)
        confident_wrong = np.max([(confident & wrong & mask).sum(axis=-1) / mask.sum() for mask in masks], axis=0)
        rejection = np.min([_rejection(confident, ~in_scope & mask) for mask in masks], axis=0)
        allowed = (confident_wrong <= MAX_CONFIDENT_WRONG) & (rejection >= MIN_OOS_REJECTION)
        ranked = np.where(allowed, accuracy, -1.0)
        j, k = np.unravel_index(int(np.argmax(ranked[::-1, ::-1])), ranked.shape)
        j, k = ranked.shape[0] - 1 - j, ranked.shape[1] - 1 - k
        if allowed[j, k] and (found is None or accuracy[j, k] >= found.accuracy):
            found = Calibration(
                thresholds=Thresholds(float(level), float(margins[j, 0, 0]), float(ambiguous_levels[0, k, 0])),
                accuracy=float(accuracy[j, k]),
                confident_wrong=float(confident_wrong[j, k]),
                oos_rejection=float(rejection[j, k]),
                confident=float(confident[j, k].mean()),
            )
    return found


def _rejection(confident: np.ndarray, out_of_scope: np.ndarray) -> np.ndarray:
    if not out_of_scope.any():
        return np.ones(confident.shape[:-1])
    return (~confident & out_of_scope).sum(axis=-1) / out_of_scope.sum()


def _features(matcher: Matcher, items: Sequence[Item]) -> tuple[np.ndarray, ...]:
    """Per question: best and second score, whether the best / any of the top 3 is right, whether in scope."""
    ids = [entry.id for entry in matcher.entries]
    rows = []
    for item in items:
        scores = matcher.scores(item.q)
        order = np.argsort(-scores, kind="stable")[:3]
        top = [ids[row] for row in order if scores[row] > 0]
        rows.append(
            (
                float(scores[order[0]]) if len(order) else 0.0,
                float(scores[order[1]]) if len(order) > 1 else 0.0,
                bool(top) and top[0] in item.expect,
                any(entry_id in item.expect for entry_id in top),
                bool(item.expect),
            )
        )
    columns = list(zip(*rows, strict=True)) if rows else [(), (), (), (), ()]
    return tuple(np.array(column, dtype=float if n < 2 else bool) for n, column in enumerate(columns))
