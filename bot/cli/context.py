"""Builds the Desk the commands act on, from the environment, with migrations applied."""

from __future__ import annotations

from bot.config import Settings
from bot.core.desk import Desk


def open_desk(settings: Settings | None = None) -> Desk:
    return Desk(settings or Settings()).migrate()
