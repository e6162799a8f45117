"""Quality targets of the shipped knowledge base on the project's own labelled questions.

questions.jsonl was written independently of the entries' example questions (typos, abbreviations, non-native
phrasing, ~15 out-of-scope questions). The targets are the product's, not relaxed for the test.
"""

from __future__ import annotations

import pytest

from bot.core.knowledge.evaluation import Report, evaluate, read_items
from bot.core.knowledge.matcher import Matcher

from .conftest import KNOWLEDGE

QUESTIONS = KNOWLEDGE.parent / "tests" / "core" / "knowledge" / "questions.jsonl"


@pytest.fixture(scope="module")
def report(shipped: Matcher) -> Report:
    return evaluate(shipped, read_items(QUESTIONS))


def test_the_labelled_file_covers_every_entry_and_out_of_scope_questions() -> None:
    items = read_items(QUESTIONS)
    covered = {entry_id for item in items for entry_id in item.expect}

    assert covered >= {file.stem for file in KNOWLEDGE.glob("*.md")}
    assert sum(not item.expect for item in items) >= 15


def test_top_1_accuracy_is_at_least_90_percent(report: Report) -> None:
    assert report.top1 >= 0.90, "\n".join(report.lines())


def test_top_3_recall_is_at_least_97_percent(report: Report) -> None:
    assert report.top3 >= 0.97, "\n".join(report.lines())


def test_out_of_scope_questions_are_rejected_at_least_85_percent_of_the_time(report: Report) -> None:
    assert report.oos_rejection >= 0.85, "\n".join(report.lines())


def test_confident_but_wrong_answers_stay_at_or_below_3_percent(report: Report) -> None:
    assert report.confident_wrong <= 0.03, "\n".join(report.lines())
