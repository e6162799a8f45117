"""Shared Hypothesis strategies and limits for the adapters' fuzz tests: hostile text and files, bounded runs.

The fuzz tests (tests/channels/*/test_fuzz.py) run in every CI run, on SQLite and PostgreSQL, with
few examples each: together with the fault suite's short form they take under 3 minutes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.config import Settings
from bot.desk import Desk
from bot.store.models import Evidence

# Few examples each: every one goes through a real adapter and a fake platform over HTTP.
FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HOSTILE = (
    "<b>",
    "</i>",
    "<a href='https://x'>",
    "&amp;",
    "&",
    "<!channel>",
    "<@U123>",
    "*bold*",
    "_it_",
    "`code`",
    "```",
    "{{ 7 * 7 }}",
    "{% if %}",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\ufeff",
    "\x00",
    "\x1b[31m",
    "/start",
    "/appeal",
    "\n",
    "👨‍💻",
    "مرحبا",
)


def hostile_text(max_size: int = 200) -> st.SearchStrategy[str]:
    """Random Unicode mixed with markup, template syntax, bidirectional and zero-width characters."""
    piece = st.one_of(st.text(max_size=20), st.sampled_from(HOSTILE))
    return st.lists(piece, max_size=12).map("".join).map(lambda text: text[:max_size])


def json_values() -> st.SearchStrategy[Any]:
    scalars = (
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | hostile_text(40)
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
        max_leaves=12,
    )


MESSAGE_CHARS: int = Settings.model_fields["max_message_chars"].default  # the most the core takes at once


def oversize_text(limit: int = MESSAGE_CHARS) -> st.SearchStrategy[str]:
    """Hostile text followed by enough more to be past `limit` characters (a message's, a caption's), up to twice."""
    return st.builds(lambda head, size: head + "x" * size, hostile_text(), st.integers(limit + 1, 2 * limit))


@dataclass(frozen=True)
class Content:
    """A file's bytes, and the types it may be kept as: only what its content is (none, for what is never kept)."""

    data: bytes
    kept_as: frozenset[str]


TEXT_TYPES = frozenset({"text/plain", "text/csv", "message/rfc822"})
CONTENTS = (
    Content(b"%PDF-1.4\n% booking 12-19 Nov\n" + b"0" * 512, frozenset({"application/pdf"})),
    Content(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64, frozenset({"image/png"})),
    Content(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, frozenset({"image/jpeg"})),
    Content("Booked 12-19 Nov in İstanbul, paid by card.\n".encode(), TEXT_TYPES),
    Content(b"<script>alert(1)</script><!channel>", TEXT_TYPES),
    Content(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 54 + b"PE\x00\x00", frozenset()),  # Windows executable
    Content(b"\x7fELF\x02\x01\x01" + b"\x00" * 57, frozenset()),  # Linux executable
    Content(b"PK\x03\x04\x14\x00" + b"\x00" * 58, frozenset()),  # zip archive
    Content(b"\x00\x01\x02\xfe\xff" * 20, frozenset()),  # nothing known
    Content(b"", frozenset()),
)
FILE_NAMES = ("invoice.pdf", "photo.jpg", "scan.png", "notes.txt", "setup.exe", "invoice.pdf.exe", "report", ".pdf")
DECLARED_TYPES = ("application/pdf", "image/png", "image/jpeg", "text/plain", "text/html", "application/x-msdownload")
DECLARED_TYPES += ("application/octet-stream", "", "pdf", "image/*;q=1")


@dataclass(frozen=True)
class SentFile:
    """A file as a user sends it: a name, the type the platform (or browser) declares, and its content."""

    name: str
    declared: str
    content: Content


def sent_files() -> st.SearchStrategy[SentFile]:
    """Files whose name, declared type and content disagree: disguised executables, archives, odd types."""
    named = st.sampled_from(FILE_NAMES) | st.builds(
        lambda name, suffix: name + suffix, hostile_text(40), st.sampled_from(FILE_NAMES)
    )
    return st.builds(
        SentFile,
        name=named,
        declared=st.sampled_from(DECLARED_TYPES)
        | st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
        content=st.sampled_from(CONTENTS),
    )


def kept_as(desk: Desk, content: Content) -> set[str]:
    """The types a file of this content was kept as, in any appeal: a subset of `content.kept_as`, or a bug."""
    sha256 = hashlib.sha256(content.data).hexdigest()
    with desk.db.session() as session:
        return {evidence.mime_type for evidence in session.exec(select(Evidence).where(Evidence.sha256 == sha256))}
