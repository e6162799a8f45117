"""`appealdesk run --role web|worker`: the web side answers turns and queues, only workers deliver the rest.

Two real processes share one database (SQLite and PostgreSQL), as a web process and a worker process
would in production, against the fake Telegram Bot API.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from bot.core.clock import SystemClock
from bot.core.outbox import Notification, Outbox
from bot.store.db import Database
from bot.store.models import OutboxMessage
from tests.fakes.telegram_bot_api import FakeBotApi, FakeUser

APPEALDESK = str(Path(sys.executable).parent / "appealdesk")
OLEG = FakeUser(4242, "Oleg", "olegz")
WAIT_SECONDS = 90.0  # a start on a busy 2-core machine


def until(check: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while not (found := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)
    return found


@pytest.fixture
def telegram() -> Iterator[FakeBotApi]:
    api = FakeBotApi().start()
    yield api
    api.stop()


class Process:
    def __init__(self, role: str, database: Database, api: FakeBotApi, tmp_path: Path) -> None:
        from benchmarks.processes import free_port

        self.port = free_port()
        env = {name: value for name, value in os.environ.items() if not name.startswith("APPEALDESK_")}
        env |= {
            "APPEALDESK_DATABASE_URL": database.url,
            "APPEALDESK_EVIDENCE_DIR": str(tmp_path / "evidence"),
            "APPEALDESK_HTTP_PORT": str(self.port),
            "APPEALDESK_OUTBOX_POLL_SECONDS": "0.2",
            "APPEALDESK_TELEGRAM_TOKEN": api.token,
            "APPEALDESK_TELEGRAM_API_URL": api.url,
        }
        self.log = tmp_path / f"{role}.log"
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                [APPEALDESK, "run", "--role", role], env=env, stdout=output, stderr=subprocess.STDOUT
            )

    def ready(self) -> dict[str, Any]:
        """/readyz's channels check, once the process says it is ready."""

        def answer() -> dict[str, Any] | None:
            assert self.process.poll() is None, self.log.read_text()
            try:
                response = httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=2)
            except httpx.HTTPError:
                return None
            checks = response.json()["checks"]
            assert response.status_code == 200 or checks["channels"]["waiting_for"], checks
            return checks["channels"] if response.status_code == 200 else None

        return until(answer, f"{self.log.stem} to be ready")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def sent_to(api: FakeBotApi, user: FakeUser) -> list[str]:
    return [call.text or "" for call in api.calls("sendMessage") if call.chat_id == user.id and call.error is None]


def test_a_web_process_answers_and_queues_and_a_worker_process_delivers(
    database: Database, telegram: FakeBotApi, tmp_path: Path
) -> None:
    web = Process("web", database, telegram, tmp_path)
    worker: Process | None = None
    try:
        assert web.ready() == {
            "ok": True,
            "role": "web",
            "sending_only": False,
            "started": ["telegram", "web"],
            "waiting_for": [],
        }
        telegram.text(OLEG, "/start")
        until(lambda: sent_to(telegram, OLEG), "the web process to answer the turn itself")
        answered = len(sent_to(telegram, OLEG))

        # What another part of the desk queues (an agent's action, the scheduler) is a worker's to send.
        with database.session() as session:
            Outbox(database, SystemClock()).enqueue(
                session, Notification("role-test", "telegram", str(OLEG.id), "notify/intake_reminder.j2")
            )
        time.sleep(2.0)  # ten of the web process's poll intervals, if it had workers
        assert len(sent_to(telegram, OLEG)) == answered
        assert status_of("role-test", database) == "pending"

        polls = len(telegram.calls("getUpdates"))
        worker = Process("worker", database, telegram, tmp_path)
        assert worker.ready() == {
            "ok": True,
            "role": "worker",
            "sending_only": True,
            "started": ["telegram", "web"],
            "waiting_for": [],
        }
        until(lambda: status_of("role-test", database) == "sent", "the worker to deliver the queued message")
        assert len(sent_to(telegram, OLEG)) == answered + 1
        worker.stop()
        assert "getUpdates" not in worker.log.read_text()
        assert len(telegram.calls("getUpdates")) >= polls  # the web process still polls, alone
        assert httpx.get(f"http://127.0.0.1:{web.port}/console/login", timeout=5).status_code == 200
    finally:
        web.stop()
        if worker is not None and worker.process.poll() is None:
            worker.stop()


def status_of(dedupe_key: str, database: Database) -> str:
    with database.session() as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)).one()
        return row.status
