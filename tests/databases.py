"""Test databases cloned from templates built once per run, instead of migrating and importing per test.

A test's database is what a first start leaves: migrated, with the shipped knowledge base imported and its
vectors cached. Building that takes seconds (Alembic, parsing and validating every entry); cloning it takes a
fraction of that: SQLite copies the template file, PostgreSQL runs `CREATE DATABASE ... TEMPLATE`. Each
PostgreSQL test gets a database of its own, so tests that open several connections, or start the CLI in a
subprocess, see one consistent database, and nothing is left to truncate afterwards.

A test about the first start itself (`@pytest.mark.first_start`) gets a database that is only migrated.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from bot.config import Settings
from bot.core.clock import ManualClock
from bot.core.knowledge.library import KnowledgeLibrary
from bot.store.db import Database, normalise_url
from bot.store.migrate import upgrade

Prepare = Callable[[Database], None]
POSTGRES_NAME_LIMIT = 63  # longest identifier PostgreSQL keeps whole


def migrated(database: Database) -> None:
    upgrade(database.engine)


def first_started(database: Database) -> None:
    """What the first start of a Desk with default settings leaves behind (see Desk.migrate)."""
    upgrade(database.engine)
    KnowledgeLibrary(database, ManualClock(), Settings.model_fields["knowledge_dir"].default).refresh()


def template_for(first_start: bool) -> Prepare:
    return migrated if first_start else first_started


class SqliteTemplates:
    """One template file per kind of database, copied into each test's own folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._built: dict[str, Path] = {}

    def clone(self, prepare: Prepare, target: Path) -> Database:
        template = self._built.get(prepare.__name__)
        if template is None:
            template = self.folder / f"{prepare.__name__}.db"
            database = Database(f"sqlite:///{template}")
            prepare(database)
            database.dispose()  # the last connection checkpoints the WAL into the file
            self._built[prepare.__name__] = template
        shutil.copyfile(template, target)
        return Database(f"sqlite:///{target}")


class PostgresTemplates:
    """Template databases beside the one APPEALDESK_TEST_POSTGRES_URL names, and a clone of one per test.

    Every name starts with that database's name and this process's id, so two runs never share one. A test's
    clone is dropped in the background once the test is over (dropping takes longer than cloning); `close`
    waits for those drops and drops the templates.
    """

    def __init__(self, url: str) -> None:
        self.url = make_url(normalise_url(url))
        self.prefix = f"{self.url.database}_{os.getpid()}"
        if len(f"{self.prefix}_first_started_99999") > POSTGRES_NAME_LIMIT:
            raise ValueError(f"the database name in APPEALDESK_TEST_POSTGRES_URL is too long: {self.url.database}")
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self._numbers = itertools.count(1)
        self._built: set[str] = set()
        self._dropper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-test-database")
        self._drops: list[Future[None]] = []

    def clone(self, prepare: Prepare) -> Database:
        template = f"{self.prefix}_{prepare.__name__}"
        if template not in self._built:
            self._create(template)
            database = self._database(template)
            prepare(database)
            database.dispose()  # a template with an open connection cannot be copied
            self._built.add(template)
        name = f"{self.prefix}_{next(self._numbers)}"
        self._create(name, template)
        return self._database(name)

    def release(self, database: Database) -> None:
        database.dispose()
        name = str(database.engine.url.database)
        self._drops.append(self._dropper.submit(self._drop, name))

    def close(self) -> None:
        for drop in self._drops:
            drop.result()
        self._dropper.shutdown()
        for template in self._built:
            self._drop(template)
        self.admin.dispose()

    def _database(self, name: str) -> Database:
        return Database(self.url.set(database=name).render_as_string(hide_password=False))

    def _create(self, name: str, template: str | None = None) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))

    def _drop(self, name: str) -> None:
        """WITH (FORCE): a CLI run or a worker thread of the test may still hold a connection."""
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
