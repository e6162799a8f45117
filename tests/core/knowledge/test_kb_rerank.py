"""The reranker: learned from training questions only, it re-orders near-ties; whitened e5 views set entries apart."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.core.knowledge import calibrate
from bot.core.knowledge.calibrate import Labelled, cross_validate, fit, label
from bot.core.knowledge.embedding import E5Embedder
from bot.core.knowledge.matcher import Fusion, Matcher, MatcherConfig, Signals, TextSignals
from bot.core.knowledge.rerank import FEATURES, Reranker, fit_reranker
from bot.core.knowledge.semantic import DIMENSIONS, SemanticIndex

from .test_kb_calibrate import ITEMS

CONTRAST = FEATURES.index("contrast_centroid")


def candidates(rng: np.random.Generator, right: int) -> np.ndarray:
    """Five candidates with near-tied fused scores; only the whitened centroid view marks the right one."""
    found = rng.uniform(0.4, 0.6, (5, len(FEATURES)))
    found[:, 0] = 0.5 + rng.normal(0, 0.01, 5)
    found[right, CONTRAST] += 0.2
    return found


def test_the_reranker_learns_which_candidate_signal_marks_the_right_one() -> None:
    rng = np.random.default_rng(3)
    training = []
    for _ in range(60):
        right = int(rng.integers(5))
        training.append((candidates(rng, right), np.arange(5) == right))

    reranker = fit_reranker(training)

    assert reranker is not None
    assert reranker.weights[CONTRAST] > 0
    fresh = [(candidates(rng, right), right) for right in rng.integers(5, size=40)]
    assert all(np.argmax(reranker.utility(found)) == right for found, right in fresh)


def test_without_a_right_and_a_wrong_candidate_there_is_nothing_to_learn() -> None:
    rng = np.random.default_rng(4)

    assert fit_reranker([(candidates(rng, 0), np.zeros(5, dtype=bool))]) is None


def near_tie(matcher: Matcher) -> Signals:
    """The VPN entry and its `related` travel entry a hair apart on words and meaning; whitened meaning prefers travel."""
    ids = [entry.id for entry in matcher.entries]
    vpn, travel = ids.index("vpn-and-proxies"), ids.index("travel-and-location")
    words = np.zeros((3, len(ids)))
    words[:, vpn], words[:, travel] = 0.62, 0.60
    meaning = np.full((3, len(ids)), 0.80)
    meaning[:, vpn], meaning[:, travel] = 0.900, 0.899
    contrast = np.full((2, len(ids)), 0.05)
    contrast[:, vpn], contrast[:, travel] = 0.20, 0.45
    return Signals([TextSignals("vpn while travelling", words, 1.0, meaning, contrast)], long=False)


def test_a_near_tie_between_related_entries_is_decided_by_the_rerankers_features(small_kb: Path) -> None:
    matcher = Matcher.from_dir(small_kb)
    assert "travel-and-location" in next(entry for entry in matcher.entries if entry.id == "vpn-and-proxies").related
    signals = near_tie(matcher)
    weights = tuple(1.0 if name in ("score", "contrast_centroid") else 0.0 for name in FEATURES)

    by_score, _ = matcher.decide(signals, 3, MatcherConfig(Fusion()))
    reranked, explained = matcher.decide(signals, 3, MatcherConfig(Fusion(), rerank=Reranker(weights)))

    assert [match.entry_id for match in by_score.matches[:2]] == ["vpn-and-proxies", "travel-and-location"]
    assert [match.entry_id for match in reranked.matches[:2]] == ["travel-and-location", "vpn-and-proxies"]
    assert reranked.matches[0].score < reranked.matches[1].score  # the scores shown are still the fused ones
    assert [one.entry_id for one in explained] == [match.entry_id for match in reranked.matches]
    placed = [one.rerank for one in explained if one.rerank is not None]
    assert len(placed) == len(explained) and placed == sorted(placed, reverse=True)  # /kb test shows what placed them


def test_the_lexical_fallback_keeps_the_fused_order_whatever_the_reranker(small_kb: Path) -> None:
    matcher = Matcher.from_dir(small_kb)
    signals = near_tie(matcher).lexical_only()
    weights = tuple(-1.0 if name == "score" else 0.0 for name in FEATURES)  # would turn any order upside down

    plain, _ = matcher.decide(signals, 3, MatcherConfig(Fusion()))
    reranked, _ = matcher.decide(signals, 3, MatcherConfig(Fusion(), rerank=Reranker(weights)))

    assert reranked.matches == plain.matches
    assert all(one.rerank is None for one in matcher.decide(signals, 3, MatcherConfig(rerank=Reranker(weights)))[1])
    assert fit(matcher, label(matcher, [ITEMS])).rerank is None  # no meaning, no reranker to fit


def test_matcher_yaml_keeps_the_reranker(tmp_path: Path) -> None:
    config = MatcherConfig(rerank=Reranker(tuple(float(n) / 4 for n in range(len(FEATURES)))))
    (tmp_path / "matcher.yaml").write_text(config.dump(), encoding="utf-8")

    assert MatcherConfig.load(tmp_path / "matcher.yaml").rerank == config.rerank
    assert MatcherConfig.load(tmp_path / "missing.yaml").rerank is None


def test_the_reranker_is_fitted_only_on_each_folds_training_questions(
    small_kb: Path, embedder: E5Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    matcher = Matcher.from_dir(small_kb, embedder)
    labelled = label(matcher, [ITEMS])
    fitted_on: list[set[str]] = []
    folds: list[tuple[set[str], Reranker | None]] = []
    choose = calibrate.choose_reranker

    def recording(matcher: Matcher, training: Sequence[Labelled], fusion: Fusion) -> Reranker | None:
        fitted_on.append({one.item.q for one in training})
        return choose(matcher, training, fusion)

    def fitter(matcher: Matcher, training: Sequence[Labelled]) -> MatcherConfig:
        config = fit(matcher, training)
        folds.append(({one.item.q for one in training}, config.rerank))
        return config

    monkeypatch.setattr(calibrate, "choose_reranker", recording)
    cross_validate(matcher, labelled, k=3, fitter=fitter)

    assert fitted_on == [training for training, _ in folds] and len(folds) == 3
    assert all(len(training) < len(ITEMS) for training in fitted_on)
    assert all(reranker is not None for _, reranker in folds)


def test_whitened_views_set_apart_entries_whose_examples_share_most_of_their_meaning() -> None:
    rng = np.random.default_rng(5)

    def examples(own: int) -> np.ndarray:
        """Mostly a direction every entry shares, a little of the entry's own one, and noise of its own wording."""
        rows = np.zeros((6, DIMENSIONS))
        rows[:, 0] = 1.0
        rows[:, own] = 0.15
        rows[:, 10:20] = rng.normal(0, 0.12, (6, 10))
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)

    answer = np.zeros((1, DIMENSIONS), dtype=np.float32)
    answer[0, 0] = 1.0
    index = SemanticIndex([np.vstack([examples(own), answer]) for own in (1, 2, 3)])
    question = np.zeros(DIMENSIONS, dtype=np.float32)
    question[[0, 1]] = 1.0, 0.1
    question /= np.linalg.norm(question)

    raw, whitened = index.cosines(question)[1], index.contrasts(question)[1]  # the centroid views

    assert np.argmax(raw) == np.argmax(whitened) == 0
    raw_gap, whitened_gap = raw[0] - np.sort(raw)[-2], whitened[0] - np.sort(whitened)[-2]
    assert whitened_gap > 5 * raw_gap
