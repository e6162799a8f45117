"""Entry vectors are embedded once per entry revision and cached in the database for every worker."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from sqlmodel import select

from bot.core.knowledge import library
from bot.core.knowledge.embedding import Embedder
from bot.core.knowledge.entry import Entry
from bot.core.knowledge.library import vector_key
from bot.core.knowledge.semantic import from_bytes
from bot.store.models import KbRevision, KbVectors
from tests.conftest import DeskFactory


@pytest.fixture
def embedded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Ids of the entries the library embeds (rather than reads from the database), in order."""
    calls: list[str] = []
    real = library.embed_entries

    def spy(embedder: Embedder, entries: Sequence[Entry]) -> list[np.ndarray]:
        calls.extend(entry.id for entry in entries)
        return real(embedder, entries)

    monkeypatch.setattr(library, "embed_entries", spy)
    return calls


@pytest.mark.first_start
def test_the_first_start_embeds_every_entry_once_and_stores_the_vectors(
    make_desk: DeskFactory, embedded: list[str]
) -> None:
    desk = make_desk()

    entries = desk.knowledge.entries()

    assert sorted(embedded) == sorted(entry.id for entry in entries)
    with desk.db.session() as session:
        rows = list(session.exec(select(KbVectors)))
        revisions = {revision.id: revision.entry_id for revision in session.exec(select(KbRevision))}
    assert len(rows) == len(entries) and {row.revision_id for row in rows} == set(revisions)
    vpn = next(row for row in rows if revisions[row.revision_id] == "vpn-and-proxies")
    entry = desk.knowledge.entry("vpn-and-proxies")
    assert entry is not None and from_bytes(vpn.vectors).shape == (len(entry.questions) + 2, 384)


def test_another_worker_reads_the_cached_vectors_and_embeds_nothing(
    make_desk: DeskFactory, embedded: list[str]
) -> None:
    make_desk().knowledge.refresh()
    embedded.clear()

    second = make_desk()
    result = second.knowledge.match("Можно ли пользоваться VPN во время работы?")

    assert embedded == []
    assert result.matches[0].entry_id == "vpn-and-proxies"


def test_a_new_revision_re_embeds_only_that_entry_and_every_worker_sees_it(
    make_desk: DeskFactory, embedded: list[str]
) -> None:
    first, second = make_desk(), make_desk()
    first.knowledge.refresh_seconds = second.knowledge.refresh_seconds = 0
    second.knowledge.refresh()
    embedded.clear()
    text = first.knowledge.current_texts()["tax-information"]
    edited = text.replace("questions:\n", "questions:\n  - Что с налогами, если я фрилансер из Казахстана?\n", 1)
    assert edited != text

    first.knowledge.save("tax-information", edited, "alice", "a question in Russian")
    second.knowledge.refresh()
    first.knowledge.refresh()

    assert embedded == ["tax-information"]  # once, by the first worker to see it; the other read it
    assert second.knowledge.match("Что с налогами, если я фрилансер из Казахстана?").matches[0].entry_id == (
        "tax-information"
    )
    with first.db.session() as session:
        models = {row.model for row in session.exec(select(KbVectors))}
        count = len(list(session.exec(select(KbVectors))))
    assert count == len(first.knowledge.entries()) + 1  # the old revision's vectors stay with the old revision
    assert models == {vector_key(library.default_embedder())}  # type: ignore[arg-type]


@pytest.mark.first_start
def test_a_server_starts_on_words_and_switches_to_meaning_once_the_vectors_are_in(make_desk: DeskFactory) -> None:
    desk = make_desk()
    desk.knowledge.wait_for_vectors = False
    desk.knowledge.refresh_seconds = 0

    first = desk.knowledge.explain("is a vpn allowed?")[1][0]
    assert desk.knowledge.embedding is not None
    desk.knowledge.embedding.join(timeout=300)
    desk.knowledge.refresh()
    later = desk.knowledge.explain("is a vpn allowed?")[1][0]

    assert first.semantic is None  # words alone while the entries were being embedded
    assert later.semantic is not None and later.entry_id == "vpn-and-proxies"
    with desk.db.session() as session:
        assert len(list(session.exec(select(KbVectors)))) == len(desk.knowledge.entries())
