"""Start-up failures as an operator reads them: which setting, what is wrong, what to check.

A bad setting, an unreachable database or platform, or a refused token ends the command with one
short message on stderr and exit code 1; `appealdesk --debug ...` shows the traceback instead.
These are operator diagnostics, printed before any template can be trusted (a bad setting may be
the templates folder itself), so their wording lives here and in the adapters that detect them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import typer
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.config import StartupProblem


@dataclass
class Options:
    """Options given before the command (`appealdesk --debug run`); the app's callback sets them on each run."""

    debug: bool = False


OPTIONS = Options()


@contextmanager
def reported() -> Iterator[None]:
    """Turns a StartupProblem into its message and exit code 1, unless debugging."""
    try:
        yield
    except StartupProblem as problem:
        if OPTIONS.debug:
            raise
        typer.echo(f"AppealDesk could not start. {problem}", err=True)
        raise typer.Exit(1) from None


def settings_problem(error: ValidationError) -> StartupProblem:
    """The first invalid setting, by its environment name."""
    first = error.errors()[0]
    name = "APPEALDESK_" + "_".join(str(part) for part in first["loc"]).upper()
    return StartupProblem(name, f"{first['msg']}. Check its value in the environment or in .env.")


def database_problem(url: str, error: SQLAlchemyError) -> StartupProblem:
    """Names the database without its password, and the driver's own first line of the reason."""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        shown = "(not a database URL)"
    reason = (str(getattr(error, "orig", None) or error).strip().splitlines() or [type(error).__name__])[0]
    return StartupProblem(
        "APPEALDESK_DATABASE_URL",
        f"cannot open the database {shown}: {reason}. Check that the database is running and reachable, "
        "and that the URL's user, password, host, port and name are right.",
    )
