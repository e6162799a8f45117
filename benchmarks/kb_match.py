"""Knowledge matcher benchmark: latency, index build time and top-1 against two baselines.

Run `python -m benchmarks.kb_match` (or `python benchmarks/kb_match.py`). Sizes: the shipped knowledge base, then
1,000 and 10,000 entries (shipped plus synthetic ones recombined from its vocabulary with a fixed seed). Baselines:
RapidFuzz `extractOne` over titles and example questions (token_set_ratio, the best of its stock scorers here;
the default WRatio rewards any shared short word and scores near 0), and BM25 (`bm25s`, a dev-only dependency) over title,
keywords and questions. Top-1 is measured on the shipped entries with the dev questions if present, else with the
project's own labelled file.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import bm25s  # noqa: E402
from rapidfuzz import fuzz, process, utils  # noqa: E402

from bot.core.knowledge.entry import Entry, load_dir  # noqa: E402
from bot.core.knowledge.evaluation import Item, read_items  # noqa: E402
from bot.core.knowledge.matcher import Matcher, MatcherConfig  # noqa: E402
from bot.core.knowledge.normalise import load_lexicon  # noqa: E402

KNOWLEDGE = ROOT / "knowledge"
DEV = ROOT.parent / "shared" / "kb" / "dev-questions.jsonl"  # the team's development set, beside the project
HELD_OUT = ROOT / "tests" / "core" / "knowledge" / "questions.jsonl"
SIZES = (1_000, 10_000)
QUERIES = 300
BUDGET_SECONDS = 5.0  # slow baselines stop early; percentiles then come from fewer calls

Ranker = Callable[[str], str | None]


def synthetic(entries: Sequence[Entry], count: int, seed: int = 7) -> list[Entry]:
    """`count` fake entries whose words come from the real ones, so vocabulary and lengths look realistic."""
    rng = random.Random(seed)
    title_words = [word for entry in entries for word in entry.title.split()]
    question_words = [word for entry in entries for question in entry.questions for word in question.split()]
    keywords = [keyword for entry in entries for keyword in entry.keywords]
    answers = [line for entry in entries for line in entry.answer.splitlines() if line.strip()]
    template = entries[0]
    return [
        replace(
            template,
            id=f"synthetic-{n}",
            title=" ".join(rng.choices(title_words, k=rng.randint(3, 7))),
            keywords=tuple(rng.sample(keywords, 6)),
            questions=tuple(" ".join(rng.choices(question_words, k=rng.randint(6, 16))) for _ in range(8)),
            related=(),
            answer="\n\n".join(rng.sample(answers, 5)),
        )
        for n in range(count)
    ]


def fuzzy_baseline(entries: Sequence[Entry]) -> Ranker:
    choices = [(entry.id, text) for entry in entries for text in (entry.title, *entry.questions)]
    texts = [utils.default_process(text) for _, text in choices]

    def rank(question: str) -> str | None:
        found = process.extractOne(utils.default_process(question), texts, scorer=fuzz.token_set_ratio, processor=None)
        return choices[found[2]][0] if found else None

    return rank


def bm25_baseline(entries: Sequence[Entry]) -> Ranker:
    corpus = [" ".join((entry.title, *entry.keywords, *entry.questions)) for entry in entries]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False)

    def rank(question: str) -> str | None:
        tokens = bm25s.tokenize([question], stopwords="en", return_ids=False, show_progress=False)
        if not tokens[0]:
            return None
        documents, _ = retriever.retrieve(tokens, k=1, show_progress=False, n_threads=1)
        return entries[int(documents[0][0])].id

    return rank


def ours(entries: Sequence[Entry]) -> Ranker:
    matcher = Matcher(entries, load_lexicon(KNOWLEDGE / "synonyms.yaml"), MatcherConfig.load(KNOWLEDGE / "matcher.yaml"))

    def rank(question: str) -> str | None:
        result = matcher.match(question, top=1)
        return result.matches[0].entry_id if result.matches else None

    return rank


METHODS: dict[str, Callable[[Sequence[Entry]], Ranker]] = {
    "appealdesk": ours,
    "rapidfuzz extractOne": fuzzy_baseline,
    "bm25s": bm25_baseline,
}


def timed_build(build: Callable[[Sequence[Entry]], Ranker], entries: Sequence[Entry]) -> tuple[Ranker, float]:
    start = time.perf_counter()
    ranker = build(entries)
    return ranker, (time.perf_counter() - start) * 1000


def latency(rank: Ranker, questions: Sequence[str]) -> tuple[float, float]:
    """p50 and p99 in milliseconds over up to QUERIES calls cycling through the questions, after a warm-up call."""
    rank(questions[0])
    samples: list[float] = []
    deadline = time.perf_counter() + BUDGET_SECONDS
    for n in range(QUERIES):
        start = time.perf_counter()
        rank(questions[n % len(questions)])
        samples.append((time.perf_counter() - start) * 1000)
        if start > deadline and len(samples) >= 20:
            break
    cuts = statistics.quantiles(samples, n=100)
    return cuts[49], cuts[98]


def top1(rank: Ranker, items: Sequence[Item]) -> float:
    in_scope = [item for item in items if item.expect]
    return sum(rank(item.q) in item.expect for item in in_scope) / len(in_scope)


def main() -> None:
    entries = load_dir(KNOWLEDGE)
    labelled = DEV if DEV.is_file() else HELD_OUT
    items = read_items(labelled)
    questions = [item.q for item in items]
    kbs = {f"shipped ({len(entries)})": entries}
    kbs |= {f"{size:,}": [*entries, *synthetic(entries, size - len(entries))] for size in SIZES}
    print(f"top-1 on {labelled} ({sum(bool(item.expect) for item in items)} in-scope questions), shipped entries")
    print(f"{'method':<22}{'entries':>14}{'build ms':>11}{'p50 ms':>9}{'p99 ms':>9}{'top-1':>8}")
    for name, build in METHODS.items():
        for label, kb in kbs.items():
            rank, build_ms = timed_build(build, kb)
            p50, p99 = latency(rank, questions)
            accuracy = f"{top1(rank, items):.3f}" if kb is entries else ""
            print(f"{name:<22}{label:>14}{build_ms:>11.1f}{p50:>9.2f}{p99:>9.2f}{accuracy:>8}")


if __name__ == "__main__":
    main()
