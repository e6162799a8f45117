"""Long messages: a story with one question in it is matched on its sentences, not as one bag of words.

Averaged over 1,500 characters, the words of the actual question are drowned by the story around them. We split
the message into windows of two consecutive sentences; the matcher scores the most promising one (the question,
if a sentence ends with "?"). A best window inflates scores, so long messages have their own thresholds.
"""

from __future__ import annotations

import re

LONG_CHARS = 400
SENTENCE_END = re.compile(r"(?<=[.!?…;])\s+|\s*\n+\s*")
WINDOW_SENTENCES = 2


def is_long(text: str) -> bool:
    return len(text) >= LONG_CHARS


def sentence_windows(text: str) -> list[str]:
    """Overlapping windows of two sentences each (one window if the text is a single sentence)."""
    sentences = [part.strip() for part in SENTENCE_END.split(text) if part and part.strip()]
    if len(sentences) <= WINDOW_SENTENCES:
        return [" ".join(sentences)] if sentences else []
    return [" ".join(sentences[start : start + WINDOW_SENTENCES]) for start in range(len(sentences) - 1)]
