"""The checks a decision's free-text steps pass, once for every surface that asks for them step by step or all at once."""

from __future__ import annotations

from bot.core.tickets.lifecycle import Refused

MIN_EXPLANATION = 20
MIN_FACTS = 10


def check_explanation(text: str) -> str:
    """The public explanation, stripped; a user is never told "no reason"."""
    if len(text.strip()) < MIN_EXPLANATION:
        raise Refused("explanation_missing", {"minimum": MIN_EXPLANATION})
    return text.strip()


def check_facts(text: str) -> str:
    """The facts an appeal's decision relied on, stripped."""
    if len(text.strip()) < MIN_FACTS:
        raise Refused("facts_missing", {"minimum": MIN_FACTS})
    return text.strip()
