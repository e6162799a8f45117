"""Evaluation metrics on a fixture where every number can be checked by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.knowledge.evaluation import Item, evaluate, read_items
from bot.core.knowledge.matcher import Match, MatchResult, Outcome


class Scripted:
    """A matcher that returns fixed results, so the metrics are known in advance."""

    def __init__(self, results: dict[str, tuple[Outcome, list[str]]]) -> None:
        self.results = results

    def match(self, question: str, top: int = 3) -> MatchResult:
        outcome, ids = self.results[question]
        return MatchResult(outcome, [Match(entry_id, 0.5, entry_id) for entry_id in ids[:top]])


ITEMS = [
    Item("a", ("vpn",)),  # confident, right
    Item("b", ("vpn", "travel")),  # ambiguous, second of expect is top-1: right
    Item("c", ("travel",)),  # confident, wrong, right one is second
    Item("d", ("money",)),  # none, not in top 3
    Item("e", ()),  # out of scope, rejected
    Item("f", ()),  # out of scope, answered confidently: wrong
]
MATCHER = Scripted(
    {
        "a": ("confident", ["vpn", "travel"]),
        "b": ("ambiguous", ["travel", "vpn"]),
        "c": ("confident", ["vpn", "travel"]),
        "d": ("none", ["vpn", "travel", "other"]),
        "e": ("none", ["vpn"]),
        "f": ("confident", ["money"]),
    }
)


def test_metrics_follow_their_definitions() -> None:
    report = evaluate(MATCHER, ITEMS)

    assert (report.questions, report.in_scope) == (6, 4)
    assert report.top1 == pytest.approx(2 / 4)
    assert report.top3 == pytest.approx(3 / 4)
    assert report.oos_rejection == pytest.approx(1 / 2)
    assert report.confident_wrong == pytest.approx(2 / 6)
    assert report.confident == pytest.approx(3 / 6)


def test_misses_are_grouped_by_expected_entry() -> None:
    misses = evaluate(MATCHER, ITEMS).misses

    assert sorted(misses) == ["(out of scope)", "money", "travel"]
    assert misses["travel"][0].got == ("vpn", "travel") and misses["travel"][0].confident


def test_the_report_prints_every_figure() -> None:
    text = "\n".join(evaluate(MATCHER, ITEMS).lines())

    for label in ("top-1 accuracy", "top-3 recall", "out-of-scope rejection", "confident-but-wrong", "misses"):
        assert label in text


def test_labelled_files_are_read_as_items(tmp_path: Path) -> None:
    file = tmp_path / "q.jsonl"
    file.write_text('{"q": "vpn?", "expect": ["vpn"]}\n\n{"q": "hi", "expect": []}\n', encoding="utf-8")

    assert read_items(file) == [Item("vpn?", ("vpn",)), Item("hi", ())]


def test_each_kind_shows_the_share_of_its_in_scope_questions_answered_confidently_and_rightly() -> None:
    items = [Item("a", ("vpn",), "en"), Item("c", ("travel",), "en"), Item("b", ("vpn", "travel"), "multi"), Item("f", ())]
    lines = evaluate(MATCHER, items).lines()
    rows = {line.split()[0]: line.split() for line in lines if line.startswith("  ") and "->" not in line}

    assert next(line for line in lines if line.startswith("by kind")).endswith("conf-right")
    assert (rows["en"][-1], rows["multi"][-1], rows["oos"][-1]) == ("0.500", "0.000", "-")
