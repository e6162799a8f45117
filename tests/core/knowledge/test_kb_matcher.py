"""The matcher answers confidently only when one entry clearly fits, offers candidates when unsure, else none."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.core.knowledge.confidence import FEATURES, Confidence, Thresholds
from bot.core.knowledge.entry import load_dir
from bot.core.knowledge.logistic import Logistic
from bot.core.knowledge.matcher import Fused, Fusion, Matcher, MatcherConfig, Signals, TextSignals, features
from bot.core.knowledge.normalise import load_lexicon

from .conftest import KNOWLEDGE


@pytest.fixture
def matcher(small_kb: Path) -> Matcher:
    return Matcher.from_dir(small_kb)


def test_a_clear_question_is_answered_confidently(matcher: Matcher) -> None:
    result = matcher.match("is it ok to use nordvpn when I work?")

    assert result.outcome == "confident" and result.confident
    assert result.matches[0].entry_id == "vpn-and-proxies"
    assert result.matches[0].title == "Using a VPN, proxy or remote desktop"


def test_matches_are_best_first_with_scores_between_0_and_1(matcher: Matcher) -> None:
    result = matcher.match("vpn while travelling abroad", top=3)

    scores = [match.score for match in result.matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= score <= 1 for score in scores)
    assert len(result.matches) == 3


def test_a_question_fitting_two_entries_equally_is_ambiguous(small_kb: Path) -> None:
    matcher = Matcher.from_dir(small_kb)
    top, runner_up = matcher.match("vpn abroad").matches[:2]
    strict = Matcher(
        matcher.entries, load_lexicon(small_kb / "synonyms.yaml"), MatcherConfig(thresholds=Thresholds(0.1, 1.0, 0.05))
    )

    result = strict.match("vpn abroad")

    assert result.outcome == "ambiguous" and not result.confident
    assert {top.entry_id, runner_up.entry_id} == {"vpn-and-proxies", "travel-and-location"}


def test_an_unrelated_question_gets_none(matcher: Matcher) -> None:
    assert matcher.match("what is the capital of australia").outcome == "none"


@pytest.mark.parametrize("question", ["", "   ", "hey", "?!", "ok thanks"])
def test_empty_or_contentless_questions_get_none_and_no_matches(matcher: Matcher, question: str) -> None:
    result = matcher.match(question)

    assert result.outcome == "none"
    assert result.matches == []


def test_top_limits_the_candidates(matcher: Matcher) -> None:
    assert len(matcher.match("withdraw my money", top=1).matches) == 1


def test_a_100_kb_paste_is_matched_quickly_using_its_ends(matcher: Matcher) -> None:
    question = "Long story about my week. " * 4000 + " So: when can I withdraw my earnings?"
    assert len(question) > 100_000

    start = time.perf_counter()
    result = matcher.match(question)

    assert time.perf_counter() - start < 0.5
    assert result.matches[0].entry_id == "withdrawals-and-holds"


def test_typos_outside_the_synonym_list_are_matched_to_known_words(matcher: Matcher) -> None:
    assert matcher.match("when can i witdraw").matches[0].entry_id == "withdrawals-and-holds"


def sure_of(threshold_short: float, threshold_long: float) -> Confidence:
    """A model that trusts the fused score alone: P = sigmoid(20 x (score - 0.3))."""
    weights = tuple(20.0 if name == "score" else 0.0 for name in FEATURES)
    return Confidence(Logistic(weights, -6.0), {"short": threshold_short, "long": threshold_long}, 0.05)


def test_weights_and_confidence_models_load_from_matcher_yaml_and_default_when_missing(tmp_path: Path) -> None:
    config = MatcherConfig(
        Fusion(lexical=0.6, coverage=1.0, similarity=0.0, fuzzy=0.5, neighbours=2.0, centroid=1.0, answer=0.5, floor=0.8),
        Thresholds(0.5, 0.1, 0.2),
        {"fused": sure_of(0.8, 0.9), "lexical": sure_of(0.7, 0.75)},
    )
    (tmp_path / "matcher.yaml").write_text(config.dump(), encoding="utf-8")

    assert MatcherConfig.load(tmp_path / "matcher.yaml") == config
    assert MatcherConfig.load(tmp_path / "missing.yaml") == MatcherConfig()


def test_the_word_score_mixes_coverage_similarity_and_fuzzy_by_the_configured_shares(small_kb: Path) -> None:
    entries = Matcher.from_dir(small_kb).entries
    synonyms = load_lexicon(small_kb / "synonyms.yaml")
    example = "will nordvpn get my account banned"  # one of the entry's own questions, word for word

    def score(fusion: Fusion) -> float:
        matcher = Matcher(entries, synonyms, MatcherConfig(fusion))
        return matcher.match(example).matches[0].score

    # said exactly like an example, so the closest-question cosine is 1; the entry's fields cover it only in part
    assert score(Fusion(coverage=0.0, similarity=1.0, fuzzy=0.0)) == pytest.approx(1.0)
    assert score(Fusion(coverage=1.0, similarity=0.0, fuzzy=0.0)) < score(Fusion()) < 1.0


def test_long_messages_have_a_confidence_threshold_of_their_own(small_kb: Path) -> None:
    config = MatcherConfig(confidence={"lexical": sure_of(0.5, 0.9999)})
    matcher = Matcher(Matcher.from_dir(small_kb).entries, load_lexicon(small_kb / "synonyms.yaml"), config)
    story = "I travel a lot for work and my family lives abroad. " * 8 + "Can I withdraw my earnings while abroad?"

    short = matcher.match("when can I withdraw my earnings")
    long = matcher.match(story)

    assert short.outcome == "confident" and short.probability is not None
    assert long.matches[0].entry_id == short.matches[0].entry_id and long.outcome != "confident"


def test_a_matcher_can_be_built_from_entry_objects() -> None:
    entries = load_dir(KNOWLEDGE)
    matcher = Matcher(entries, load_lexicon(KNOWLEDGE / "synonyms.yaml"), MatcherConfig.load(KNOWLEDGE / "matcher.yaml"))

    assert matcher.match("my acc got hacked, someone changed my password").matches[0].entry_id == (
        "security-and-hacked-account"
    )


def test_an_empty_knowledge_base_matches_nothing() -> None:
    assert Matcher([]).match("vpn").outcome == "none"


def test_confidence_sees_each_signal_s_own_race_behind_the_fused_leader() -> None:
    words = np.array([[0.2, 0.6, 0.1], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])  # words prefer entry 1
    meaning = np.array([[0.93, 0.85, 0.80], [0.90, 0.86, 0.80], [0.80, 0.88, 0.79]])  # the answer view too
    signals = Signals([TextSignals("q", words, 1.0, meaning)], long=False)
    fused = Fused(
        score=np.array([0.7, 0.5, 0.2]),
        lexical=np.array([0.2, 0.6, 0.1]),
        semantic=np.array([0.9, 0.4, 0.1]),
        weight=np.ones(3),
        text=np.zeros(3, dtype=np.int64),
    )

    found = dict(zip(FEATURES, features(fused, signals), strict=True))

    assert found["lexical_margin"] == pytest.approx(-0.4)
    assert found["semantic_margin"] == pytest.approx(0.5)
    assert found["nearest"] == pytest.approx(0.93)
    assert found["views_agree"] == pytest.approx(2 / 3)

    alone = dict(zip(FEATURES, features(replace(fused, semantic=None), signals.lexical_only()), strict=True))
    assert alone["semantic_margin"] == alone["nearest"] == alone["views_agree"] == 0.0
    assert alone["lexical_margin"] == pytest.approx(-0.4)
