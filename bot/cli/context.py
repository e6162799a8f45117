"""Builds the Desk the commands act on, from the environment, with migrations applied."""

from __future__ import annotations

from bot.config import Settings
from bot.core.desk import Desk


def open_desk(settings: Settings | None = None, wait_for_vectors: bool = True) -> Desk:
    """`wait_for_vectors=False` (the server): entries without cached vectors are embedded in the background."""
    desk = Desk(settings or Settings())
    desk.knowledge.wait_for_vectors = wait_for_vectors
    return desk.migrate()
