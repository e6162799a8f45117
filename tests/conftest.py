"""Shared fixtures: a Desk on SQLite or PostgreSQL, each test with a database of its own (tests/databases.py).

PostgreSQL runs when APPEALDESK_TEST_POSTGRES_URL is set (.ci/run sets it). Otherwise the tests
marked `postgres` are left out and one line at the end says so and how to run them; .ci/run, which
sets the variable, still fails on any skip.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.channels.registry import load_settings
from bot.config import Settings
from bot.core.clock import ManualClock
from bot.desk import Desk
from bot.store.db import Database
from tests.databases import PostgresTemplates, SqliteTemplates, template_for

POSTGRES_URL = os.environ.get("APPEALDESK_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

DeskFactory = Callable[..., Desk]
POSTGRES_LEFT_OUT = pytest.StashKey[int]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without a PostgreSQL URL its tests are deselected as a group, not reported one skip at a time."""
    if POSTGRES_URL:
        return
    left_out = [item for item in items if item.get_closest_marker("postgres")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]
    config.stash[POSTGRES_LEFT_OUT] = len(left_out)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    left_out = config.stash.get(POSTGRES_LEFT_OUT, 0)
    if left_out:
        terminalreporter.write_line(
            f"PostgreSQL: {left_out} test(s) not run. To run them: createdb -h 127.0.0.1 -U postgres scratch, then "
            "APPEALDESK_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/scratch make test",
            yellow=True,
        )


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read the developer's .env or APPEALDESK_* variables, nor use a proxy."""
    for name in list(os.environ):
        if name.startswith("APPEALDESK_") and name != "APPEALDESK_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
        if name.lower() in ("http_proxy", "https_proxy", "all_proxy"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    return SqliteTemplates(tmp_path_factory.mktemp("templates"))


@pytest.fixture(scope="session")
def postgres_templates() -> Iterator[PostgresTemplates]:
    if not POSTGRES_URL:
        pytest.skip("APPEALDESK_TEST_POSTGRES_URL is not set")
    templates = PostgresTemplates(POSTGRES_URL)
    yield templates
    templates.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """This test's own database, as a first start leaves it (see tests/databases.py)."""
    prepare = template_for(first_start=request.node.get_closest_marker("first_start") is not None)
    if backend == "postgres":
        templates: PostgresTemplates = request.getfixturevalue("postgres_templates")
        database = templates.clone(prepare)
        yield database
        templates.release(database)
        return
    sqlite: SqliteTemplates = request.getfixturevalue("sqlite_templates")
    database = sqlite.clone(prepare, tmp_path / "appealdesk.db")
    yield database
    database.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": f"sqlite:///{tmp_path / 'appealdesk.db'}",
            "evidence_dir": tmp_path / "evidence",
            "platform_name": "WorkMarket",
            "agents": ["alice", "bob"],
            "admins": ["terminal:alice"],
            # The test clock stands still, so whole intakes arrive in one instant: tests/core/test_limits.py
            # sets the limits it checks
            "user_messages_per_minute": 1000,
            "appeals_per_account_per_week": 1000,
        }
        values.update(overrides)
        return load_settings(_env_file=None, **values)

    return make


@pytest.fixture
def make_desk(database: Database, clock: ManualClock, make_settings: Callable[..., Settings]) -> DeskFactory:
    """Builds a Desk over the test database; keyword arguments override settings."""

    def make(destinations: list[tuple[str, str]] | None = None, **overrides: Any) -> Desk:
        settings = make_settings(database_url=database.url, **overrides)
        return Desk(settings, db=database, clock=clock, destinations=destinations)

    return make


@pytest.fixture
def desk(make_desk: DeskFactory) -> Desk:
    return make_desk()
