"""Choose fusion weights and thresholds from labelled questions, and measure them on questions they never saw.

Fusion weights: the grid point with the best top-1 on the training questions (ties: top-3, then the earlier
point). Thresholds, per mode (fused or lexical fallback, short or long): every (confident, margin, ambiguous) on a
grid is scored at once with numpy. A question counts as handled right when it is in scope and answered
confidently with a right entry (1 point), in scope and ambiguous with a right entry among the top 3 (half a point:
the user still has to pick), or out of scope and rejected with outcome none (1 point). We keep the best-scoring
combination with confident-but-wrong <= 3% and out-of-scope rejection >= 0.90 in every labelled set; ties go to
the stricter thresholds. `cross_validate` reports figures on held-out folds only.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.core.knowledge.evaluation import Item, Report, report
from bot.core.knowledge.matcher import MODES, Fusion, Matcher, MatcherConfig, MatchResult, Mode, Signals, Thresholds

MAX_CONFIDENT_WRONG = 0.03
MIN_OOS_REJECTION = 0.90
AMBIGUOUS_CREDIT = 0.5
FUSIONS = [
    Fusion(lexical, questions, floor)
    for lexical, questions, floor in itertools.product((0.3, 0.4, 0.5, 0.6, 0.7), (0.5, 0.7, 0.85), (0.75, 0.8))
]
FOLDS = 5


@dataclass(frozen=True)
class Calibration:
    thresholds: Thresholds
    accuracy: float
    confident_wrong: float
    oos_rejection: float
    confident: float


@dataclass(frozen=True)
class Labelled:
    """One labelled question with its signals (computed once: embedding is the slow part) and its set number."""

    item: Item
    signals: Signals
    set: int


def label(matcher: Matcher, item_sets: Sequence[Sequence[Item]]) -> list[Labelled]:
    return [Labelled(item, matcher.signals(item.q), n) for n, items in enumerate(item_sets) for item in items]


def fit(matcher: Matcher, labelled: Sequence[Labelled]) -> MatcherConfig:
    """Weights and thresholds for every mode from these questions; a mode with no usable data keeps a neighbour's."""
    fusion = choose_fusion(matcher, labelled) if matcher.semantic is not None else matcher.config.fusion
    chosen: dict[str, Thresholds] = {}
    for mode in MODES:
        lexical = mode.startswith("lexical")
        if not lexical and matcher.semantic is None:
            continue
        subset = [one for one in labelled if one.signals.long == mode.endswith("long")]
        found = _thresholds(matcher, subset, fusion, lexical)
        if found is not None:
            chosen[mode] = found.thresholds
    for mode in MODES:  # long messages fall back to short ones' thresholds, the fused mode to the lexical one's
        if mode not in chosen:
            short = mode.removesuffix("-long")
            chosen[mode] = chosen.get(short) or chosen.get("lexical") or matcher.config.thresholds[mode]
    return MatcherConfig(fusion, chosen)


def choose_fusion(matcher: Matcher, labelled: Sequence[Labelled]) -> Fusion:
    in_scope = [one for one in labelled if one.item.expect]
    ids = [entry.id for entry in matcher.entries]

    def quality(fusion: Fusion) -> tuple[float, float]:
        top1 = top3 = 0
        for one in in_scope:
            scores = matcher.fuse(one.signals, fusion)[0]
            order = [ids[row] for row in np.argsort(-scores, kind="stable")[:3]] if len(scores) else []
            top1 += bool(order) and order[0] in one.item.expect
            top3 += any(entry_id in one.item.expect for entry_id in order)
        return top1, top3

    return max(FUSIONS, key=quality)


def cross_validate(
    matcher: Matcher, labelled: Sequence[Labelled], lexical_only: bool = False, folds: int = FOLDS, seed: int = 13
) -> Report:
    """Fit on all folds but one, predict that one, for each fold; the report covers held-out predictions only.

    `lexical_only` measures the fallback the product uses when the embedding model is not installed.
    """
    if lexical_only:
        labelled = [Labelled(one.item, one.signals.lexical_only(), one.set) for one in labelled]
    fold = np.random.default_rng(seed).permutation(len(labelled)) % folds
    results: list[tuple[Item, MatchResult]] = []
    for k in range(folds):
        config = fit(matcher, [one for one, f in zip(labelled, fold, strict=True) if f != k])
        for one, f in zip(labelled, fold, strict=True):
            if f == k:
                results.append((one.item, matcher.decide(one.signals, 3, config)[0]))
    return report(results)


def calibrate(matcher: Matcher, item_sets: Sequence[Sequence[Item]], mode: Mode = "lexical") -> Calibration | None:
    """Best thresholds for one mode's scores (default configuration), or None if none meet the constraints."""
    labelled = label(matcher, item_sets)
    subset = [one for one in labelled if one.signals.long == mode.endswith("long")]
    return _thresholds(matcher, subset, matcher.config.fusion, mode.startswith("lexical"))


def _thresholds(matcher: Matcher, labelled: Sequence[Labelled], fusion: Fusion, lexical: bool) -> Calibration | None:
    """The threshold sweep; None if no combination meets both constraints on every set."""
    if not labelled:
        return None
    best, second, top1_right, top3_right, in_scope = _features(matcher, labelled, fusion, lexical)
    sets = np.array([one.set for one in labelled])
    wrong = ~(top1_right & in_scope)
    masks = [sets == n for n in np.unique(sets)]
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


def _features(
    matcher: Matcher, labelled: Sequence[Labelled], fusion: Fusion, lexical: bool
) -> tuple[np.ndarray, ...]:
    """Per question: best and second score, whether the best / any of the top 3 is right, whether in scope."""
    ids = [entry.id for entry in matcher.entries]
    rows = []
    for one in labelled:
        scores = matcher.fuse(one.signals.lexical_only() if lexical else one.signals, fusion)[0]
        order = np.argsort(-scores, kind="stable")[:3]
        top = [ids[row] for row in order if scores[row] > 0]
        rows.append(
            (
                float(scores[order[0]]) if len(order) else 0.0,
                float(scores[order[1]]) if len(order) > 1 else 0.0,
                bool(top) and top[0] in one.item.expect,
                any(entry_id in one.item.expect for entry_id in top),
                bool(one.item.expect),
            )
        )
    columns = list(zip(*rows, strict=True)) if rows else [(), (), (), (), ()]
    return tuple(np.array(column, dtype=float if n < 2 else bool) for n, column in enumerate(columns))
