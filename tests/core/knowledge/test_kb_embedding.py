"""What the model is asked to embed per question: each text once, a long message's windows in one call."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.core.knowledge.embedding import E5Embedder
from bot.core.knowledge.matcher import Matcher

from .test_kb_semantic import STORY


class CountingModel:
    """The real model, recording the texts of every call it gets."""

    def __init__(self, model: object) -> None:
        self.model = model
        self.calls: list[list[str]] = []

    def query(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return self.model.query(texts)  # type: ignore[attr-defined]

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return self.model.passage(texts)  # type: ignore[attr-defined]


@pytest.fixture
def counting(embedder: E5Embedder, small_kb: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Matcher, CountingModel]:
    """A small matcher with meaning whose model calls are counted from here on, no question remembered yet."""
    matcher = Matcher.from_dir(small_kb, embedder)
    model = CountingModel(embedder._model)
    monkeypatch.setattr(embedder, "_model", model)
    embedder.forget_questions()
    return matcher, model


def test_a_question_is_embedded_once_in_one_call_and_not_again_when_asked_again(
    counting: tuple[Matcher, CountingModel],
) -> None:
    matcher, model = counting

    first = matcher.match("can I keep working while I travel abroad?")
    matcher.explain("can I keep working while I travel abroad?")
    again = matcher.match("can I keep working while I travel abroad?")

    assert model.calls == [["can I keep working while I travel abroad?"]]
    assert first == again


def test_a_long_message_is_embedded_in_one_call_and_never_whole(counting: tuple[Matcher, CountingModel]) -> None:
    matcher, model = counting

    matcher.match(STORY)

    assert len(model.calls) == 1
    assert all(text in STORY and len(text) < len(STORY) for text in model.calls[0])


def test_the_model_runs_on_one_thread(embedder: E5Embedder) -> None:
    """Serving is many small calls: OpenMP threads would only contend. Asked of the engine's own OpenMP runtime."""
    assert embedder._model._lib.omp_get_max_threads() == 1
