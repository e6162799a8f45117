"""Shared Hypothesis strategies and limits for the adapters' fuzz tests: hostile text, bounded runs."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

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
