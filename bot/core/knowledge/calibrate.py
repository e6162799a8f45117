"""Choose fusion weights and the confidence model from labelled questions; measure them on questions they never saw.

Fusion weights: the grid point with the best top-1 on the training questions (ties: top-3, then the earlier
point); then the reranker (rerank.py) on the same questions under those weights. Confidence, per family of
signals (fused, or the lexical fallback), in the reranked order: a logistic model of "the best entry is right"
over confidence.FEATURES, then per group (short English, long, other languages) the lowest probability
threshold at which at most `CONFIDENT_WRONG_BUDGET` of the group's training questions would be answered
confidently and wrongly, and at most 1 - `MIN_OOS_REJECTION` of its out-of-scope ones confidently. A group's
threshold is never below the one fitted on all questions (a few dozen questions that happened to go well must
not make a group more trusted than the rest), and a group with too few training questions uses that one. The
budget is below the 3% goal because a threshold chosen on some questions is a little optimistic on others. `cross_validate` reports figures on
held-out folds only: every question is judged by weights and a model fitted without it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from bot.core.knowledge.confidence import GROUPS, Confidence
from bot.core.knowledge.evaluation import Item, Report, report
from bot.core.knowledge.logistic import fit_logistic
from bot.core.knowledge.matcher import Family, Fusion, Matcher, MatcherConfig, MatchResult, Signals, features
from bot.core.knowledge.rerank import DEPTH, Reranker, fit_reranker

CONFIDENT_WRONG_BUDGET = 0.02
MIN_OOS_REJECTION = 0.90
MIN_GROUP = 20  # training questions a group needs for a threshold of its own
AMBIGUOUS_CREDIT = 0.5  # an ambiguous reply with the right entry among the choices is half a right answer
SHARES = ((1, 1, 1), (2, 1, 1), (1, 2, 2), (1, 0, 1), (1, 1, 0), (1, 0, 0))  # neighbours, centroid, answer
WORD_SHARES = ((2, 1, 1), (1, 0, 0), (4, 1, 1), (2, 1, 0), (2, 0, 1))  # coverage, similarity, fuzzy
FUSIONS = [
    Fusion(lexical, *words, *shares, floor=floor)
    for lexical, words, shares, floor in itertools.product(
        (0.2, 0.3, 0.4, 0.5, 0.6, 0.7), WORD_SHARES, SHARES, (0.75, 0.8)
    )
]
FOLDS = 5


@dataclass(frozen=True)
class Labelled:
    """One labelled question with its signals (computed once: embedding is the slow part) and its set number."""

    item: Item
    signals: Signals
    set: int


Fitter = Callable[[Matcher, Sequence[Labelled]], MatcherConfig]


def label(matcher: Matcher, item_sets: Sequence[Sequence[Item]]) -> list[Labelled]:
    return [Labelled(item, matcher.signals(item.q), n) for n, items in enumerate(item_sets) for item in items]


def fit(matcher: Matcher, labelled: Sequence[Labelled]) -> MatcherConfig:
    """Fusion weights, the reranker and a confidence model per family from these questions (none without data)."""
    fusion = choose_fusion(matcher, labelled) if matcher.semantic is not None else matcher.config.fusion
    reranker = choose_reranker(matcher, labelled, fusion)
    families: list[Family] = ["fused", "lexical"] if matcher.semantic is not None else ["lexical"]
    confidence: dict[str, Confidence] = {}
    for family in families:
        seen = [one if family == "fused" else _lexical(one) for one in labelled]
        model = fit_confidence(matcher, seen, fusion, reranker)
        if model is not None:
            confidence[family] = model
    return MatcherConfig(fusion, matcher.config.thresholds, confidence, reranker)


def _lexical(one: Labelled) -> Labelled:
    return Labelled(one.item, one.signals.lexical_only(), one.set)


def choose_fusion(matcher: Matcher, labelled: Sequence[Labelled]) -> Fusion:
    in_scope = [one for one in labelled if one.item.expect]
    ids = [entry.id for entry in matcher.entries]

    def quality(fusion: Fusion) -> tuple[float, float]:
        top1 = top3 = 0
        for one in in_scope:
            order = [ids[row] for row in matcher.fuse(one.signals, fusion).order(3)]
            top1 += bool(order) and order[0] in one.item.expect
            top3 += any(entry_id in one.item.expect for entry_id in order)
        return top1, top3

    return max(FUSIONS, key=quality)


def choose_reranker(matcher: Matcher, labelled: Sequence[Labelled], fusion: Fusion) -> Reranker | None:
    """Fitted on the in-scope questions' first `DEPTH` candidates under `fusion`; None for the lexical fallback."""
    ids = [entry.id for entry in matcher.entries]
    questions = []
    for one in labelled:
        fused = matcher.fuse(one.signals, fusion)
        candidates = matcher.candidates(fused, one.signals)
        if one.item.expect and candidates is not None:
            questions.append((candidates, np.array([ids[row] in one.item.expect for row in fused.order(DEPTH)])))
    return fit_reranker(questions)


@dataclass(frozen=True)
class Row:
    """What fitting the confidence model needs of one labelled question."""

    inputs: np.ndarray
    group: str
    right: bool  # in scope and the best entry is right
    in_scope: bool
    offered_right: bool  # in scope and a right entry among the top 3


def rows(matcher: Matcher, labelled: Sequence[Labelled], fusion: Fusion, reranker: Reranker | None) -> list[Row]:
    ids = [entry.id for entry in matcher.entries]
    out = []
    for one in labelled:
        if not one.signals.texts:
            continue  # nothing to read: always "none", nothing to learn
        fused = matcher.rank(one.signals, fusion, reranker)
        top = [ids[row] for row in fused.order(3)]
        expect = one.item.expect
        out.append(
            Row(
                features(fused, one.signals),
                one.signals.group,
                bool(expect) and top[0] in expect,
                bool(expect),
                any(entry_id in expect for entry_id in top),
            )
        )
    return out


def fit_confidence(
    matcher: Matcher, labelled: Sequence[Labelled], fusion: Fusion, reranker: Reranker | None = None
) -> Confidence | None:
    """The model, its per-group thresholds and the level below which nothing is offered; None without data."""
    data = rows(matcher, labelled, fusion, reranker)
    if not data or len({row.right for row in data}) < 2:
        return None
    model = fit_logistic(np.array([row.inputs for row in data]), np.array([row.right for row in data]))
    probability = model.probability(np.array([row.inputs for row in data]))
    everyone = _threshold(data, probability)
    thresholds: dict[str, float] = {}
    for name in GROUPS:
        members = [n for n, row in enumerate(data) if row.group == name]
        enough = len(members) >= MIN_GROUP
        own = _threshold([data[n] for n in members], probability[members]) if enough else everyone
        thresholds[name] = max(own, everyone)
    confident = probability >= np.array([thresholds[row.group] for row in data])
    return Confidence(model, thresholds, _ambiguous_level(data, confident))


def _threshold(data: Sequence[Row], probability: np.ndarray) -> float:
    """The lowest probability that keeps confident-wrong and out-of-scope answers within budget (1.0: never).

    Questions with equal probability are all in or all out, so a threshold is judged with all its ties.
    """
    order = np.argsort(-probability, kind="stable")
    ranked = probability[order]
    wrong = np.cumsum([not data[n].right for n in order])
    oos = np.cumsum([not data[n].in_scope for n in order])
    last_tie = np.searchsorted(-ranked, -ranked, side="right") - 1
    allowed = (wrong[last_tie] <= CONFIDENT_WRONG_BUDGET * len(data)) & (
        oos[last_tie] <= (1 - MIN_OOS_REJECTION) * oos[-1]
    )
    within = int(np.argmin(allowed)) if not allowed.all() else len(allowed)  # counts only grow: a prefix
    return float(ranked[within - 1]) if within else 1.0


def _ambiguous_level(data: Sequence[Row], confident: np.ndarray) -> float:
    """The fused score from which a not-confident question is offered choices rather than "no answer"."""
    scores = np.array([row.inputs[0] for row in data])
    offered_right = np.array([row.offered_right for row in data])
    in_scope = np.array([row.in_scope for row in data])
    rest = ~confident
    levels = np.round(np.arange(0.05, 0.705, 0.01), 2)

    def points(level: float) -> float:
        offered = scores >= level
        return float(((offered & offered_right) * AMBIGUOUS_CREDIT + (~offered & ~in_scope))[rest].sum())

    return float(max(levels, key=points))


def folds(count: int, k: int = FOLDS, seed: int = 13) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(training, held-out) index arrays: each question is held out exactly once."""
    fold = np.random.default_rng(seed).permutation(count) % k
    for n in range(k):
        yield np.flatnonzero(fold != n), np.flatnonzero(fold == n)


def cross_validate(
    matcher: Matcher,
    labelled: Sequence[Labelled],
    lexical_only: bool = False,
    k: int = FOLDS,
    fitter: Fitter = fit,
) -> Report:
    """Fit on all folds but one, predict that one, for each fold; the report covers held-out predictions only.

    `lexical_only` measures the fallback the product uses when the embedding model is not installed.
    """
    if lexical_only:
        labelled = [_lexical(one) for one in labelled]
    results: list[tuple[Item, MatchResult]] = []
    for training, held_out in folds(len(labelled), k):
        config = fitter(matcher, [labelled[n] for n in training])
        results += [(labelled[n].item, matcher.decide(labelled[n].signals, 3, config)[0]) for n in held_out]
    return report(results)
