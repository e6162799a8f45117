"""Database engine and sessions, for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.dml import Insert
from sqlmodel import Session, SQLModel, create_engine
from tenacity import RetryCallState, retry, retry_if_exception, stop_after_attempt, wait_exponential

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")
# A dropped connection is replaced by the pool at once; a restarting server may take a second or two.
DISCONNECT_ATTEMPTS = 4


def normalise_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, postgresql://) and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    kwargs = {"hide_parameters": True, **kwargs}  # a failed statement's parameters may be what a user wrote
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **kwargs)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def is_disconnect(error: BaseException) -> bool:
    """The database dropped the connection under a statement: the transaction was rolled back whole."""
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    log.warning("the database dropped the connection (%s); trying again", type(error).__name__)


def again_if_disconnected(work: Callable[P, R]) -> Callable[P, R]:
    """Runs a unit of work again, on a new connection, when the database dropped the old one under it.

    Only for work that is one transaction (`Database.session`) and sends nothing outside it, and
    that a second run leaves as it was should the first one's commit have gone through after all.
    """
    return retry(
        retry=retry_if_exception(is_disconnect),
        stop=stop_after_attempt(DISCONNECT_ATTEMPTS),
        wait=wait_exponential(multiplier=0.1, max=2.0),
        before_sleep=_log_retry,
        reraise=True,
    )(work)


def insert_or_skip(session: Session, model: type[SQLModel]) -> Insert:
    """An INSERT that skips the rows whose unique key is taken (ON CONFLICT DO NOTHING), in the session's dialect.

    One statement where a savepoint, the insert and its release were three round trips: a race with
    another worker ends in a row not inserted, not in an error to recover from.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table: Table = model.__table__  # type: ignore[attr-defined]
    return dialect.insert(table).on_conflict_do_nothing()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    """Take SQLite's write lock at BEGIN, so two processes never both read-then-write the same state."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """One engine and a way to run a unit of work in a transaction."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)

    @property
    def is_postgres(self) -> bool:
        return is_postgres(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back if it raises."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
