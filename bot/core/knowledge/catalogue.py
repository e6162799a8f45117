"""The entries as the console lists them: the current revision of each, searched and cut into pages.

The search reads what an admin remembers of an entry (its id, title, category or a keyword), so a
word finds the entry whether it is in the title or only among the keywords.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.knowledge.entry import read_entry
from bot.store.models import KbRevision

PAGE_SIZE = 25


@dataclass(frozen=True)
class EntryRow:
    id: str
    title: str
    category: str
    revision: int
    author: str
    at: datetime
    keywords: tuple[str, ...] = ()

    @classmethod
    def of(cls, revision: KbRevision) -> EntryRow:
        """A stored text that no longer reads as an entry is still listed, by its id, so it can be fixed."""
        entry = read_entry(revision.text, f"{revision.entry_id}.md").entry
        title, category, keywords = (entry.title, entry.category, entry.keywords) if entry else ("", "", ())
        return cls(revision.entry_id, title, category, revision.number, revision.author, revision.at, keywords)

    def matches(self, search: str) -> bool:
        words = search.casefold().split()
        text = " ".join((self.id, self.title, self.category, *self.keywords)).casefold()
        return all(word in text for word in words)


@dataclass(frozen=True)
class CataloguePage:
    rows: list[EntryRow]
    total: int
    page: int
    pages: int


def catalogue(revisions: list[KbRevision], search: str = "", page: int = 1, size: int = PAGE_SIZE) -> CataloguePage:
    """One page of the entries that match `search`, by id; a page past the end shows the last one."""
    rows = [row for row in map(EntryRow.of, revisions) if row.matches(search)]
    rows.sort(key=lambda row: row.id)
    pages = max(1, -(-len(rows) // size))
    page = min(max(page, 1), pages)
    return CataloguePage(rows[(page - 1) * size : page * size], len(rows), page, pages)
