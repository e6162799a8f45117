"""Measure a matcher on labelled questions: JSONL lines `{"q": ..., "expect": [entry ids]}`, `[]` = out of scope."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bot.core.knowledge.matcher import MatchResult


class SupportsMatch(Protocol):
    def match(self, question: str, top: int = 3) -> MatchResult: ...


@dataclass(frozen=True)
class Item:
    q: str
    expect: tuple[str, ...]


@dataclass(frozen=True)
class Miss:
    question: str
    expected: tuple[str, ...]
    got: tuple[str, ...]
    confident: bool


@dataclass
class Report:
    """Rates are over in-scope questions (top-1, top-3), out-of-scope ones (rejection) or all (confident-wrong)."""

    questions: int
    in_scope: int
    top1: float
    top3: float
    oos_rejection: float
    confident_wrong: float
    confident: float
    misses: dict[str, list[Miss]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [
            f"questions: {self.questions} ({self.in_scope} in scope, {self.questions - self.in_scope} out of scope)",
            f"top-1 accuracy:          {self.top1:.3f}",
            f"top-3 recall:            {self.top3:.3f}",
            f"out-of-scope rejection:  {self.oos_rejection:.3f}",
            f"confident-but-wrong:     {self.confident_wrong:.3f}",
            f"answered confidently:    {self.confident:.3f}",
        ]
        if self.misses:
            out.append("misses by expected entry:")
        for expected, misses in sorted(self.misses.items()):
            out.append(f"  {expected}:")
            for miss in misses:
                flag = " (confident)" if miss.confident else ""
                out.append(f"    {miss.question!r} expected {list(miss.expected)} got {list(miss.got)}{flag}")
        return out


def read_items(path: str | Path) -> list[Item]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [Item(data["q"], tuple(data.get("expect") or ())) for data in map(json.loads, filter(str.strip, lines))]


def evaluate(matcher: SupportsMatch, items: Iterable[Item]) -> Report:
    """Top-1/top-3 count rank only; rejection and confident-wrong count the confident flag. Misses show top-3."""
    results = [(item, matcher.match(item.q, top=3)) for item in items]
    return report(results)


def report(results: Sequence[tuple[Item, MatchResult]]) -> Report:
    in_scope = [(item, result) for item, result in results if item.expect]
    out_of_scope = [result for item, result in results if not item.expect]
    misses: dict[str, list[Miss]] = defaultdict(list)
    top1 = top3 = confident_wrong = 0
    for item, result in results:
        ids = tuple(match.entry_id for match in result.matches)
        right = bool(ids) and ids[0] in item.expect
        confident_wrong += result.confident and not right
        if item.expect:
            top1 += right
            top3 += any(entry_id in item.expect for entry_id in ids[:3])
        if not right and (item.expect or result.confident):
            misses[item.expect[0] if item.expect else "(out of scope)"].append(
                Miss(item.q, item.expect, ids, result.confident)
            )
    return Report(
        questions=len(results),
        in_scope=len(in_scope),
        top1=top1 / len(in_scope) if in_scope else 1.0,
        top3=top3 / len(in_scope) if in_scope else 1.0,
        oos_rejection=sum(not result.confident for result in out_of_scope) / len(out_of_scope) if out_of_scope else 1.0,
        confident_wrong=confident_wrong / len(results) if results else 0.0,
        confident=sum(result.confident for _, result in results) / len(results) if results else 0.0,
        misses=dict(misses),
    )
