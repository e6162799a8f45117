"""`appealdesk db ...`: Alembic migrations (also applied automatically on start)."""

from __future__ import annotations

import typer

from bot.config import Settings
from bot.store import migrate
from bot.store.db import Database

db_app = typer.Typer(no_args_is_help=True)


@db_app.command()
def upgrade(revision: str = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    database = Database(Settings().database_url)
    migrate.upgrade(database.engine, revision)
    typer.echo(f"Database at revision {migrate.current(database.engine)}.")


@db_app.command()
def downgrade(revision: str) -> None:
    """Revert migrations down to REVISION."""
    database = Database(Settings().database_url)
    migrate.downgrade(database.engine, revision)
    typer.echo(f"Database at revision {migrate.current(database.engine)}.")


@db_app.command()
def current() -> None:
    """Show the revision the database is at."""
    typer.echo(migrate.current(Database(Settings().database_url).engine) or "empty")
