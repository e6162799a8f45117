"""Migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import bot.channels.telegram.prompts  # noqa: F401 - its table is created by migration 0002
from bot.store import migrate
from bot.store.db import Database


def test_the_migrated_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_migrations_downgrade_to_nothing_and_upgrade_again(tmp_path: object) -> None:
    database = Database(f"sqlite:///{tmp_path}/fresh.db")
    migrate.upgrade(database.engine)
    assert migrate.current(database.engine) == "0005_waiting_for_user"
    migrate.downgrade(database.engine, "base")
    assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(database.engine)
    assert "tickets" in inspect(database.engine).get_table_names()
