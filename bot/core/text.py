"""Cleaning what users type, and telling a question from an answer."""

from __future__ import annotations

import re
import unicodedata

_QUESTION_START = re.compile(
    r"^(is|are|can|could|may|might|should|will|would|do|does|did|how|what|why|when|where|which|who|am)\b",
    re.IGNORECASE,
)


# Embeddings, overrides, isolates and marks: they can make a name or a file name read backwards
# ("invoice\u202efdp.exe" shows as "invoiceexe.pdf").
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


ROW_ID_MAX = 2**31 - 1  # the database's integer: PostgreSQL refuses a larger one, and the whole turn with it


def row_id(value: object) -> int | None:
    """A row's id as someone outside sent it (a button's data, a form field): digits within range, else None."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if number <= ROW_ID_MAX else None


def without_nul(text: str) -> str:
    """PostgreSQL refuses NUL in text, so it never gets that far."""
    return text.replace("\x00", "")


def neutralise_bidi(text: str) -> str:
    """Drops bidirectional controls, so what an agent reads is what was typed, in order."""
    return "".join(ch for ch in text if ch not in BIDI_CONTROLS)


_SENTENCE_BREAK = re.compile(r"[.!?]\s")


def clean(text: str) -> str:
    """Drops control characters (keeping new lines and tabs) and normalises Unicode."""
    text = unicodedata.normalize("NFC", text or "")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()


def looks_like_question(text: str) -> bool:
    stripped = text.strip()
    return stripped.endswith("?") or bool(_QUESTION_START.match(stripped))


def is_one_question(text: str) -> bool:
    """A message that asks and does nothing else: one line, one sentence, a question.

    An explanation that contains a question among other sentences ("I only used a VPN. Why is that
    wrong?") is not one, so it is never mistaken for a rule question.
    """
    stripped = text.strip()
    if "\n" in stripped or not looks_like_question(stripped):
        return False
    return _SENTENCE_BREAK.search(stripped.rstrip("?!. ")) is None


def command_of(text: str) -> tuple[str, str] | None:
    """('/appeal', rest) for '/appeal@SomeBot rest'; None if the text is not a command."""
    if not text.startswith("/") or len(text) < 2 or not text[1].isalpha():
        return None
    head, _, rest = text.partition(" ")
    return head.split("@", 1)[0].lower(), rest.strip()
