"""Measure a matcher on labelled questions: JSONL lines `{"q": ..., "expect": [entry ids], "kind": ...}`.

`expect: []` means out of scope. `kind` (en, oos, multi, long, typo) groups the figures; without it a line
counts as `en`, or `oos` when out of scope.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bot.core.knowledge.matcher import MatchResult

CONFUSED_PAIRS = 8


class SupportsMatch(Protocol):
    def match(self, question: str, top: int = 3) -> MatchResult: ...


@dataclass(frozen=True)
class Item:
    q: str
    expect: tuple[str, ...]
    kind: str = ""

    @property
    def group(self) -> str:
        return self.kind or ("en" if self.expect else "oos")


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
    confident_right: float = 0.0
    misses: dict[str, list[Miss]] = field(default_factory=dict)
    kinds: dict[str, Report] = field(default_factory=dict)
    confused: list[tuple[str, str, int]] = field(default_factory=list)  # (expected, got instead, how often)

    def lines(self) -> list[str]:
        out = self.figures()
        if len(self.kinds) > 1:
            out.append("by kind:        questions  top-1  top-3  rejected  conf-wrong  confident  conf-right")
        for kind, part in sorted(self.kinds.items()):
            out.append(
                f"  {kind:<14}{part.questions:>9}  {_rate(part.top1, part.in_scope)}  {_rate(part.top3, part.in_scope)}"
                f"  {_rate(part.oos_rejection, part.questions - part.in_scope):>8}"
                f"  {part.confident_wrong:>10.3f}  {part.confident:>9.3f}  {_rate(part.confident_right, part.in_scope):>10}"
            )
        if self.confused:
            out.append("most confused (expected -> got instead):")
        out += [f"  {expected} -> {got}: {count}" for expected, got, count in self.confused]
        if self.misses:
            out.append("misses by expected entry:")
        for expected, misses in sorted(self.misses.items()):
            out.append(f"  {expected}:")
            for miss in misses:
                flag = " (confident)" if miss.confident else ""
                out.append(f"    {miss.question!r} expected {list(miss.expected)} got {list(miss.got)}{flag}")
        return out

    def figures(self) -> list[str]:
        return [
            f"questions: {self.questions} ({self.in_scope} in scope, {self.questions - self.in_scope} out of scope)",
            f"top-1 accuracy:          {self.top1:.3f}",
            f"top-3 recall:            {self.top3:.3f}",
            f"out-of-scope rejection:  {self.oos_rejection:.3f}",
            f"confident-but-wrong:     {self.confident_wrong:.3f}",
            f"answered confidently:    {self.confident:.3f}",
            f"confident and right, in scope: {self.confident_right:.3f}",
        ]


def _rate(value: float, count: int) -> str:
    return f"{value:.3f}" if count else "    -"


def read_items(path: str | Path) -> list[Item]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [
        Item(data["q"], tuple(data.get("expect") or ()), str(data.get("kind") or ""))
        for data in map(json.loads, filter(str.strip, lines))
    ]


def evaluate(matcher: SupportsMatch, items: Iterable[Item]) -> Report:
    """Top-1/top-3 count rank only; rejection and confident-wrong count the confident flag. Misses show top-3."""
    results = [(item, matcher.match(item.q, top=3)) for item in items]
    return report(results)


def report(results: Sequence[tuple[Item, MatchResult]], by_kind: bool = True) -> Report:
    in_scope = [(item, result) for item, result in results if item.expect]
    out_of_scope = [result for item, result in results if not item.expect]
    misses: dict[str, list[Miss]] = defaultdict(list)
    confused: Counter[tuple[str, str]] = Counter()
    top1 = top3 = confident_wrong = confident_right = 0
    for item, result in results:
        ids = tuple(match.entry_id for match in result.matches)
        right = bool(ids) and ids[0] in item.expect
        confident_wrong += result.confident and not right
        if item.expect and ids and not right:
            confused[(item.expect[0], ids[0])] += 1
        if item.expect:
            top1 += right
            confident_right += result.confident and right
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
        confident_right=confident_right / len(in_scope) if in_scope else 0.0,
        misses=dict(misses),
        kinds=_by_kind(results) if by_kind else {},
        confused=[(expected, got, count) for (expected, got), count in confused.most_common(CONFUSED_PAIRS)],
    )


def _by_kind(results: Sequence[tuple[Item, MatchResult]]) -> dict[str, Report]:
    groups: dict[str, list[tuple[Item, MatchResult]]] = defaultdict(list)
    for item, result in results:
        groups[item.group].append((item, result))
    return {kind: report(part, by_kind=False) for kind, part in groups.items()}
