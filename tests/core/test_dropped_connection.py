"""PostgreSQL ending a connection under a unit of work (a restart, a failover, an operator's
`pg_terminate_backend`): the work is done again on a new connection, once, and nobody notices.

The connection is ended for real, by the server, just before a chosen statement runs on it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.core.events import Identity, Inbound
from bot.desk import Desk
from bot.store.db import DISCONNECT_ATTEMPTS, Database, again_if_disconnected
from bot.store.models import OutboxMessage, ProcessedUpdate
from tests.core.test_outbox import ScriptedSender, enqueue, row

pytestmark = pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
OLGA = Identity("terminal", "olga", "chat-olga")


@contextmanager
def ended_before(db: Database, statement: str, times: int = 1) -> Iterator[list[str]]:
    """Has the server end the connection that is about to run a statement matching the regular
    expression `statement`, the first `times` times; yields the statements it ended."""
    ended: list[str] = []

    def end(connection: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if len(ended) < times and re.match(statement, sql.lstrip(), re.IGNORECASE | re.DOTALL):
            ended.append(sql)
            pid = connection.connection.dbapi_connection.info.backend_pid
            with db.engine.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    event.listen(db.engine, "before_cursor_execute", end)
    try:
        yield ended
    finally:
        event.remove(db.engine, "before_cursor_execute", end)


def test_a_turn_whose_connection_is_ended_is_handled_again_and_answered_once(desk: Desk) -> None:
    with ended_before(desk.db, "INSERT INTO processed_updates") as ended:
        replies = desk.handle(Inbound(OLGA, text="/appeal", update_id="1"))

    assert ended and [reply.template for reply in replies] == ["intake/start.j2", "intake/steps/account.j2"]
    with desk.db.session() as session:
        assert len(session.exec(select(ProcessedUpdate)).all()) == 1
        assert [r.template for r in session.exec(select(OutboxMessage).order_by(OutboxMessage.id))] == [
            "intake/start.j2",
            "intake/steps/account.j2",
        ]


def test_a_delivery_whose_recording_loses_its_connection_is_recorded_and_not_sent_again(desk: Desk) -> None:
    enqueue(desk)
    sender = ScriptedSender()
    worker = desk.worker({"terminal": sender}, owner="w1")

    with ended_before(desk.db, r"UPDATE outbox SET .*sent_at") as ended:
        asyncio.run(worker.run_once())

    assert ended and row(desk).status == "sent"
    assert asyncio.run(worker.run_once()) == 0 and len(sender.sent) == 1


def test_a_database_that_stays_away_is_given_up_after_a_few_tries(desk: Desk) -> None:
    with ended_before(desk.db, "INSERT INTO processed_updates", times=DISCONNECT_ATTEMPTS) as ended:
        replies = desk.handle(Inbound(OLGA, text="/appeal", update_id="1"))

    # every try was ended; the user is still answered, honestly, and may send it again
    assert len(ended) == DISCONNECT_ATTEMPTS
    assert [reply.template for reply in replies] == ["errors/internal.j2"]


def test_only_a_dropped_connection_is_tried_again(database: Database) -> None:
    calls: list[int] = []

    @again_if_disconnected
    def work() -> None:
        calls.append(1)
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    with pytest.raises(IntegrityError):
        work()
    assert calls == [1]
