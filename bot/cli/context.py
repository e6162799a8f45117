"""Builds the Desk the commands act on, from the environment, with migrations applied."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from bot.channels import registry
from bot.cli.startup import database_problem, reported, settings_problem
from bot.config import Settings
from bot.core.accounts import AccountRefused
from bot.core.platform.keys import KeyRefused
from bot.core.refusals import refusal_template
from bot.core.tickets.lifecycle import Refused
from bot.desk import Desk


def load_settings() -> Settings:
    """The settings from the environment; a bad value ends the command with one clear message."""
    with reported():
        try:
            return registry.load_settings()
        except ValidationError as error:
            raise settings_problem(error) from error


def open_desk(settings: Settings | None = None, wait_for_vectors: bool = True) -> Desk:
    """A bad setting or a database that cannot be opened ends the command with one clear message.

    `wait_for_vectors=False` (the server): entries without cached vectors are embedded in the background.
    """
    settings = settings or load_settings()
    with reported():
        try:
            desk = Desk(settings)
            desk.knowledge.wait_for_vectors = wait_for_vectors
            return desk.migrate()
        except SQLAlchemyError as error:
            raise database_problem(settings.database_url, error) from error


T = TypeVar("T")


def run_refusable(action: Callable[[Desk], T]) -> tuple[Desk, T]:
    """Runs an action on the Desk; a rule's refusal becomes its sentence on stderr and exit code 2."""
    desk = open_desk()
    try:
        return desk, action(desk)
    except (Refused, AccountRefused, KeyRefused) as refused:
        typer.echo(desk.renderer.render(refusal_template(refused), {"code": refused.code, **refused.context}), err=True)
        raise typer.Exit(2) from refused
