"""Routing rules as data: an ordered table of routes, and the first one that applies to a turn."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.core.turn import Turn


@dataclass(frozen=True)
class Route:
    """`applies` only reads the turn; `handle` acts on it. `name` says the rule in words, for readers and logs."""

    name: str
    applies: Callable[[Turn], bool]
    handle: Callable[[Turn], None]


def first_route(routes: Sequence[Route], turn: Turn) -> Route:
    """The first route that applies; a table ends with one that always does."""
    return next(route for route in routes if route.applies(turn))
