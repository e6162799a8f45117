"""Slack's message text back to what the user typed, so the core parses and stores plain text.

Slack escapes `&`, `<`, `>` and wraps links, e-mails and mentions in `<...>`; the core must see
"me@example.com", not "<mailto:me@example.com|me@example.com>".
"""

from __future__ import annotations

import re

_ANGLE = re.compile(r"<([^<>]*)>")


def _unwrap(match: re.Match[str]) -> str:
    target, _, label = match.group(1).partition("|")
    if target.startswith("mailto:"):
        return label or target[len("mailto:") :]
    if target.startswith(("@", "#")):
        return label or target
    if target.startswith("!"):
        name = target[1:].split("^", 1)[0]
        return "@" + (label or name)
    if label and label != target:
        return f"{label} ({target})"
    return target


def plain_text(text: str) -> str:
    unwrapped = _ANGLE.sub(_unwrap, text or "")
    return unwrapped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
