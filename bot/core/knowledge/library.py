"""The knowledge base as the running product keeps it: entries in the database, with every revision.

`knowledge/` is imported on first use; admins edit through `appealdesk kb ...` and the console. An entry
is retired by a revision with no text, so its history stays and a revert brings it back. Each worker notices
a new revision (one cheap query, at most every `refresh_seconds`) and rebuilds its matcher, so a
change reaches every worker without a restart. Entry vectors are cached in `kb_vectors` per revision and
model: a new revision is embedded once, by the first worker that sees it; the others read its vectors.
A server sets `wait_for_vectors = False`: missing vectors are then embedded in a background thread and words
alone answer until they are in, so a first start (embedding every entry) does not delay the start-up.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.core.clock import Clock
from bot.core.knowledge.embedding import Embedder, default_embedder
from bot.core.knowledge.entry import Entry, parse_entry, read_entry
from bot.core.knowledge.matcher import Explanation, Matcher, MatcherConfig, MatchResult
from bot.core.knowledge.normalise import load_lexicon
from bot.core.knowledge.problems import EntryError, Problem
from bot.core.knowledge.semantic import RECIPE, embed_entries, from_bytes, to_bytes
from bot.core.knowledge.validation import check_texts
from bot.store.db import Database
from bot.store.models import KbRevision, KbVectors

log = logging.getLogger(__name__)
DRAFT = -1  # stands for an unsaved text among revision ids
RETIRED = ""  # the text of the revision that retires an entry (no entry file is empty)


def is_retired(revision: KbRevision) -> bool:
    """Whether this revision retired its entry."""
    return revision.text == RETIRED


@dataclass(frozen=True)
class ImportReport:
    added: list[str]
    changed: list[str]
    unchanged: int


@dataclass(frozen=True)
class Stored:
    """The current revisions and the model as one hashable key; vectors ride along, compared by revision."""

    revisions: tuple[tuple[int, str, str], ...]  # (revision id, entry id, text), by entry id
    model: str | None  # None: lexical only
    vectors: dict[int, np.ndarray] | None = field(default=None, compare=False, hash=False)


class StaleEdit(Exception):
    """The entry was saved again after the text being saved was loaded: saving would undo that change."""

    def __init__(self, latest: KbRevision) -> None:
        super().__init__(f"{latest.entry_id} is at revision {latest.number} now")
        self.latest = latest


@lru_cache(maxsize=4)
def _build(stored: Stored, folder: str, _fingerprint: str) -> tuple[Matcher, dict[str, Entry]]:
    """One matcher per distinct set of entry revisions, shared by every Desk in the process."""
    entries = [parse_entry(text, f"{entry_id}.md") for _, entry_id, text in stored.revisions]
    return _matcher(entries, stored.vectors, [revision for revision, _, _ in stored.revisions], folder), {
        entry.id: entry for entry in entries
    }


def _matcher(entries: list[Entry], vectors: dict[int, np.ndarray] | None, keys: list[int], folder: str) -> Matcher:
    synonyms = Path(folder) / "synonyms.yaml"
    embedder = default_embedder()
    return Matcher(
        entries,
        load_lexicon(synonyms) if synonyms.is_file() else None,
        MatcherConfig.load(Path(folder) / "matcher.yaml"),
        (embedder, [vectors[key] for key in keys]) if embedder and vectors else None,
    )


def vector_key(embedder: Embedder) -> str:
    return f"{embedder.name}/{RECIPE}"


def _folder_fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for name in ("synonyms.yaml", "matcher.yaml"):
        path = folder / name
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()


class KnowledgeLibrary:
    def __init__(self, db: Database, clock: Clock, folder: Path, refresh_seconds: float = 2.0) -> None:
        self.db = db
        self.clock = clock
        self.folder = folder
        self.refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._seen: tuple[int | None, str] | None = None  # latest revision, synonyms and thresholds
        self._checked_at = 0.0
        self._matcher: Matcher | None = None
        self._entries: dict[str, Entry] = {}
        self.wait_for_vectors = True
        self.embedding: threading.Thread | None = None  # the background embedding, while it runs

    # ---- the RuleBook the conversation uses --------------------------------------------------------

    def match(self, question: str, top: int = 3) -> MatchResult:
        return self._current()[0].match(question, top=top)

    def explain(self, question: str, top: int = 3) -> tuple[MatchResult, list[Explanation]]:
        return self._current()[0].explain(question, top=top)

    def entry(self, entry_id: str) -> Entry | None:
        return self._current()[1].get(entry_id)

    def entries(self) -> list[Entry]:
        return list(self._current()[1].values())

    def _current(self) -> tuple[Matcher, dict[str, Entry]]:
        if self._matcher is None:
            self.refresh()
        assert self._matcher is not None
        return self._matcher, self._entries

    def refresh(self) -> None:
        """Rebuilds the matcher if an entry changed since the last look (imports `knowledge/` on first use).

        Call it outside any open transaction: on SQLite a second connection would wait for the first.
        """
        with self._lock:
            now = time.monotonic()
            if self._matcher is not None and now - self._checked_at < self.refresh_seconds:
                return
            self._checked_at = now
            latest = self._latest_revision_id()
            if latest is None:
                with contextlib.suppress(IntegrityError):  # another process imported it at the same moment
                    self.import_dir(self.folder, "import", "first start")
                latest = self._latest_revision_id()
            seen = (latest, _folder_fingerprint(self.folder))
            if seen != self._seen or self._matcher is None:
                self._matcher, self._entries = _build(self._stored(), str(self.folder), seen[1])
                self._seen = seen

    def _stored(self) -> Stored:
        with self.db.session() as session:
            revisions = sorted(self._current_revisions(session), key=lambda revision: revision.entry_id)
        key = tuple((revision.id or 0, revision.entry_id, revision.text) for revision in revisions)
        embedder = default_embedder()
        if embedder is None:
            return Stored(key, None)
        if not self.wait_for_vectors and self._missing(embedder, revisions):
            self._embed_in_background(embedder, revisions)
            return Stored(key, None)
        return Stored(key, vector_key(embedder), self.vectors(embedder, revisions))

    def _missing(self, embedder: Embedder, revisions: list[KbRevision]) -> bool:
        with self.db.session() as session:
            query = select(func.count()).where(
                KbVectors.model == vector_key(embedder), col(KbVectors.revision_id).in_([r.id for r in revisions])
            )
            return int(session.exec(query).one()) < len(revisions)

    def _embed_in_background(self, embedder: Embedder, revisions: list[KbRevision]) -> None:
        if self.embedding is not None and self.embedding.is_alive():
            return

        def embed() -> None:
            self.vectors(embedder, revisions)
            with self._lock:
                self._seen, self._checked_at = None, 0.0  # the next refresh builds the fused matcher

        log.info("embedding knowledge entries in the background; word matching answers until then")
        self.embedding = threading.Thread(target=embed, name="kb-embedding", daemon=True)
        self.embedding.start()

    def vectors(self, embedder: Embedder, revisions: list[KbRevision]) -> dict[int, np.ndarray]:
        """Cached vectors of these revisions; the missing ones are embedded now and saved for every worker."""
        model = vector_key(embedder)
        ids = [revision.id for revision in revisions]
        with self.db.session() as session:
            query = select(KbVectors).where(KbVectors.model == model, col(KbVectors.revision_id).in_(ids))
            found = {row.revision_id: from_bytes(row.vectors) for row in session.exec(query)}
        missing = [revision for revision in revisions if revision.id not in found]
        if missing:
            entries = [parse_entry(revision.text, f"{revision.entry_id}.md") for revision in missing]
            keys = [revision.id or 0 for revision in missing]
            embedded = dict(zip(keys, embed_entries(embedder, entries), strict=True))
            with contextlib.suppress(IntegrityError), self.db.session() as session:  # another worker was first
                session.add_all(
                    KbVectors(revision_id=key, model=model, vectors=to_bytes(value)) for key, value in embedded.items()
                )
            found |= embedded
        return found

    def _latest_revision_id(self) -> int | None:
        with self.db.session() as session:
            return session.exec(select(func.max(KbRevision.id))).one()

    # ---- admin editing -----------------------------------------------------------------------------

    def current_texts(self) -> dict[str, str]:
        """The current text of every entry (importing knowledge/ first if the database has none)."""
        if self._matcher is None:
            self.refresh()
        return self._stored_texts()

    def _stored_texts(self) -> dict[str, str]:
        with self.db.session() as session:
            return {revision.entry_id: revision.text for revision in self._current_revisions(session)}

    def _current_revisions(self, session: Session) -> list[KbRevision]:
        """The latest revision of every entry that is not retired."""
        return list(session.exec(self._latest_revisions(session).where(KbRevision.text != RETIRED)))

    @staticmethod
    def _latest_revisions(session: Session) -> SelectOfScalar[KbRevision]:
        latest = (
            select(KbRevision.entry_id, func.max(KbRevision.number).label("number"))
            .group_by(col(KbRevision.entry_id))
            .subquery()
        )
        return select(KbRevision).join(
            latest, (col(KbRevision.entry_id) == latest.c.entry_id) & (col(KbRevision.number) == latest.c.number)
        )

    def import_dir(self, folder: Path, author: str, change: str = "import") -> ImportReport:
        """Saves a new revision of every entry whose file differs; the whole folder must be valid first."""
        files = {path.name: path.read_text("utf-8") for path in sorted(folder.glob("*.md"))}
        problems = check_texts(files)
        if problems:
            raise EntryError(problems)
        current = self._stored_texts()
        added: list[str] = []
        changed: list[str] = []
        unchanged = 0
        with self.db.session() as session:
            for name, text in files.items():
                entry_id = name.removesuffix(".md")
                if current.get(entry_id) == text:
                    unchanged += 1
                    continue
                (changed if entry_id in current else added).append(entry_id)
                self._add_revision(session, entry_id, text, author, change)
        return ImportReport(added, changed, unchanged)

    def export_dir(self, folder: Path) -> int:
        folder.mkdir(parents=True, exist_ok=True)
        texts = self.current_texts()
        for entry_id, text in texts.items():
            (folder / f"{entry_id}.md").write_text(text, "utf-8")
        return len(texts)

    def validate(self, entry_id: str, text: str) -> list[Problem]:
        """Problems of `text` as the new version of `entry_id`, checked together with all other entries."""
        files = {f"{key}.md": value for key, value in self.current_texts().items()}
        files[f"{entry_id}.md"] = text
        return [problem for problem in check_texts(files)]

    def save(self, entry_id: str, text: str, author: str, change: str, seen: int | None = None) -> int:
        """Saves a new revision (never overwrites one); raises EntryError if the entry is not valid.

        `seen` is the revision the text was edited from: if another one was saved since, StaleEdit.
        """
        problems = self.validate(entry_id, text)
        if problems:
            raise EntryError(problems)
        return self._write(entry_id, text, author, change, seen)

    def create(self, entry_id: str, text: str, author: str, change: str) -> int:
        """A new entry's first revision; StaleEdit if the id is taken, by a current or a retired entry."""
        return self.save(entry_id, text, author, change, seen=0)

    def retire(self, entry_id: str, author: str, change: str, seen: int | None = None) -> int:
        """A revision with no text: users are no longer offered the entry, and its history stays.

        Reverting to an earlier revision brings it back. Refused (EntryError) while the rest of the
        base would not pass `kb check` without it, as when another entry lists it under `related`.
        """
        texts = self.current_texts()
        if entry_id not in texts:
            raise KeyError(f"there is no current entry {entry_id}")
        problems = check_texts({f"{key}.md": value for key, value in texts.items() if key != entry_id})
        if problems:
            raise EntryError(problems)
        return self._write(entry_id, RETIRED, author, change, seen)

    def retired(self) -> list[KbRevision]:
        """The retiring revision of each entry that is retired now, by id."""
        with self.db.session() as session:
            latest = self._latest_revisions(session).where(KbRevision.text == RETIRED)
            return sorted(session.exec(latest), key=lambda revision: revision.entry_id)

    def _write(self, entry_id: str, text: str, author: str, change: str, seen: int | None) -> int:
        """A new revision, refused (StaleEdit) if one was saved since revision `seen` (0: none yet)."""
        with self.db.session() as session:
            if seen is not None:
                latest = self._latest(session, entry_id)
                if latest is not None and latest.number != seen:
                    session.expunge(latest)  # as loaded: the rollback that follows would expire it
                    raise StaleEdit(latest)
            number = self._add_revision(session, entry_id, text, author, change).number
        self._checked_at = 0.0  # this process's next refresh looks at once; other workers within refresh_seconds
        return number

    def current(self) -> list[KbRevision]:
        """The current revision of every entry (importing knowledge/ first if the database has none)."""
        if self._matcher is None:
            self.refresh()
        with self.db.session() as session:
            return sorted(self._current_revisions(session), key=lambda revision: revision.entry_id)

    def revision(self, entry_id: str, number: int | None = None) -> KbRevision | None:
        """One revision of an entry; the current one without `number`."""
        with self.db.session() as session:
            if number is None:
                return self._latest(session, entry_id)
            query = select(KbRevision).where(KbRevision.entry_id == entry_id, KbRevision.number == number)
            return session.exec(query).first()

    def draft(self, entry_id: str, text: str) -> Matcher | None:
        """A matcher over the current entries with `text` in place of `entry_id`, to try an edit before saving.

        None when the text is no entry at all; other problems (`validate`) do not stop a try. Only the
        draft is embedded (the embedder remembers texts it has seen), and only while the saved entries are
        matched with meaning too; the others' vectors are the cached ones.
        """
        parsed = read_entry(text, f"{entry_id}.md")
        if parsed.entry is None:
            return None
        revisions = [revision for revision in self.current() if revision.entry_id != entry_id]
        entries = [parse_entry(revision.text, f"{revision.entry_id}.md") for revision in revisions]
        keys = [revision.id or 0 for revision in revisions]
        embedder = self._current()[0].embedder  # as the saved entries are matched now, so before and after compare
        vectors = self.vectors(embedder, revisions) if embedder else None
        if embedder and vectors is not None:
            vectors[DRAFT] = embed_entries(embedder, [parsed.entry])[0]
        return _matcher([*entries, parsed.entry], vectors, [*keys, DRAFT], str(self.folder))

    def history(self, entry_id: str, session: Session | None = None) -> list[KbRevision]:
        """Every revision, oldest first; pass the caller's session when inside a transaction."""
        query = select(KbRevision).where(KbRevision.entry_id == entry_id).order_by(col(KbRevision.number))
        if session is not None:
            return list(session.exec(query))
        with self.db.session() as own:
            return list(own.exec(query))

    def revert(self, entry_id: str, number: int, author: str) -> int:
        """Brings back an old text as a new revision, so the history keeps every step."""
        old = next((revision for revision in self.history(entry_id) if revision.number == number), None)
        if old is None:
            raise KeyError(f"{entry_id} has no revision {number}")
        return self.save(entry_id, old.text, author, f"revert to revision {number}")

    @staticmethod
    def _latest(session: Session, entry_id: str) -> KbRevision | None:
        query = select(KbRevision).where(KbRevision.entry_id == entry_id).order_by(col(KbRevision.number).desc())
        return session.exec(query).first()

    def _add_revision(self, session: Session, entry_id: str, text: str, author: str, change: str) -> KbRevision:
        last = session.exec(select(func.max(KbRevision.number)).where(KbRevision.entry_id == entry_id)).one()
        revision = KbRevision(
            entry_id=entry_id,
            number=(last or 0) + 1,
            author=author,
            at=self.clock.now(),
            change=change[:500],
            text=text,
        )
        session.add(revision)
        session.flush()
        return revision
