"""A decision's free-text steps are checked once, in the core, whichever surface asks for them."""

from __future__ import annotations

import pytest

from bot.core.tickets.decision import MIN_EXPLANATION, MIN_FACTS, check_explanation, check_facts
from bot.core.tickets.lifecycle import Refused


def test_an_explanation_shorter_than_the_minimum_is_refused_with_the_minimum() -> None:
    with pytest.raises(Refused) as refused:
        check_explanation("  too short  ")
    assert refused.value == Refused("explanation_missing", {"minimum": MIN_EXPLANATION})


def test_facts_shorter_than_the_minimum_are_refused_with_the_minimum() -> None:
    with pytest.raises(Refused) as refused:
        check_facts("x" * (MIN_FACTS - 1))
    assert refused.value == Refused("facts_missing", {"minimum": MIN_FACTS})


def test_what_passes_comes_back_stripped() -> None:
    assert check_explanation("  The logins came from a VPN server.  ") == "The logins came from a VPN server."
    assert check_facts(" Login history 12-19 Nov ") == "Login history 12-19 Nov"
