"""Calibration: a logistic confidence model with per-group thresholds, fitted and judged on separate questions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.core.knowledge import calibrate
from bot.core.knowledge.calibrate import Labelled, cross_validate, fit, folds, label
from bot.core.knowledge.evaluation import Item, evaluate
from bot.core.knowledge.logistic import fit_logistic
from bot.core.knowledge.matcher import Matcher, MatcherConfig, MatchResult, Signals

ITEMS = [
    Item("can I use a vpn at work", ("vpn-and-proxies",)),
    Item("proxy from my office ok?", ("vpn-and-proxies",)),
    Item("will nordvpn get me banned", ("vpn-and-proxies",)),
    Item("going on a trip abroad next month", ("travel-and-location",)),
    Item("must I change my location when I move country", ("travel-and-location",)),
    Item("when can I withdraw my money", ("withdrawals-and-holds",)),
    Item("payment pending for days", ("withdrawals-and-holds",)),
    Item("why is my payment on hold", ("withdrawals-and-holds",)),
    Item("what is the capital of australia", ()),
    Item("tell me a joke", ()),
    Item("best pizza recipe", ()),
]


@pytest.fixture
def matcher(small_kb: Path) -> Matcher:
    return Matcher.from_dir(small_kb)


def test_the_fitted_model_keeps_its_promises_on_the_questions_it_was_fitted_on(matcher: Matcher) -> None:
    config = fit(matcher, label(matcher, [ITEMS]))
    calibrated = Matcher(matcher.entries, None, config)

    report = evaluate(calibrated, ITEMS)

    assert set(config.confidence) == {"lexical"}  # no embedding model: the fallback's model only
    assert report.confident_wrong <= calibrate.CONFIDENT_WRONG_BUDGET
    assert report.oos_rejection >= calibrate.MIN_OOS_REJECTION
    assert report.confident > 0


def test_every_question_is_held_out_exactly_once() -> None:
    held_out = np.concatenate([test for _, test in folds(23, 5)])
    for training, test in folds(23, 5):
        assert not set(training) & set(test) and len(training) + len(test) == 23

    assert sorted(held_out) == list(range(23))


class Recording(Matcher):
    """A real matcher that notes which configuration judged which question."""

    judged: list[tuple[str, int]]

    def decide(self, signals: Signals, top: int, config: MatcherConfig | None = None) -> tuple[MatchResult, list]:
        self.judged.append((signals.texts[0].text if signals.texts else "", id(config)))
        return super().decide(signals, top, config)


def test_cross_validation_judges_each_question_only_with_a_model_fitted_without_it(small_kb: Path) -> None:
    matcher = Recording.from_dir(small_kb)
    matcher.judged = []
    seen_by: dict[int, tuple[MatcherConfig, set[str]]] = {}  # holds each config, so no id is reused

    def fitter(matcher: Matcher, training: Sequence[Labelled]) -> MatcherConfig:
        config = fit(matcher, training)
        seen_by[id(config)] = (config, {one.item.q for one in training})
        return config

    report = cross_validate(matcher, label(matcher, [ITEMS]), k=4, fitter=fitter)

    assert report.questions == len(ITEMS) and len(seen_by) == 4
    assert sorted(question for question, _ in matcher.judged) == sorted(item.q for item in ITEMS)
    assert all(question not in seen_by[config][1] for question, config in matcher.judged)


def test_a_group_is_never_trusted_more_than_all_questions_together(matcher: Matcher) -> None:
    config = fit(matcher, label(matcher, [ITEMS]))

    thresholds = config.confidence["lexical"].thresholds

    assert thresholds["long"] == thresholds["other-language"] == thresholds["short"]  # too few to judge apart
    assert min(thresholds.values()) >= thresholds["short"]


def test_logistic_regression_learns_which_way_a_signal_points() -> None:
    rng = np.random.default_rng(1)
    signal = rng.uniform(0, 1, 400)
    constant = np.ones(400)
    labels = rng.uniform(0, 1, 400) < signal  # the higher the signal, the likelier the label

    model = fit_logistic(np.column_stack([signal, constant]), labels)

    low, high = model.probability(np.array([[0.1, 1.0], [0.9, 1.0]]))
    assert model.weights[0] > 0 and model.weights[1] == 0.0
    assert 0.05 < low < 0.3 and 0.7 < high < 0.95
