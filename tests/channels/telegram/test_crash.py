"""A real `appealdesk run` killed with SIGKILL in the middle of a slow file download loses nothing.

The product runs as a subprocess polling the fake Bot API over HTTP; the test kills it while it is
downloading the user's file, starts it again, and the file and the bot's reply arrive.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlmodel import select

from bot.desk import Desk
from bot.store.models import Evidence
from tests.channels.telegram.conftest import OLEG
from tests.chat import ChatUser, file_appeal
from tests.fakes.telegram_bot_api import FakeBotApi

APPEALDESK = Path(sys.executable).parent / "appealdesk"
BOOKING = b"%PDF-1.4\n% travel booking 12-19 Nov\n" + b"0" * 4096


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], object], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@contextmanager
def appealdesk_run(desk: Desk, api: FakeBotApi) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "APPEALDESK_DATABASE_URL": desk.settings.database_url,
        "APPEALDESK_EVIDENCE_DIR": str(desk.settings.evidence_dir),
        "APPEALDESK_TELEGRAM_TOKEN": api.token,
        "APPEALDESK_TELEGRAM_API_URL": api.url,
        "APPEALDESK_HTTP_PORT": str(free_port()),
        "APPEALDESK_OUTBOX_POLL_SECONDS": "0.2",
    }
    polls = len(api.calls("getUpdates"))
    log = desk.settings.evidence_dir.parent / "appealdesk-run.log"
    with log.open("ab") as output:
        process = subprocess.Popen([str(APPEALDESK), "run"], env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: len(api.calls("getUpdates")) > polls or process.poll() is not None)
        assert process.poll() is None, log.read_text()
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def replies_naming_the_file(api: FakeBotApi) -> list[str]:
    return [call.text for call in api.calls("sendMessage", chat_id=OLEG.id) if "booking.pdf" in call.text]


def files_of(desk: Desk) -> list[Evidence]:
    with desk.db.session() as session:
        return list(session.exec(select(Evidence).where(Evidence.name == "booking.pdf")))


def test_a_kill_during_a_slow_download_loses_neither_the_file_nor_the_reply(
    api: FakeBotApi, telegram_desk: Callable[..., Desk]
) -> None:
    desk = telegram_desk()
    file_appeal(ChatUser(desk, name=str(OLEG.id), channel="telegram", chat_id=str(OLEG.id)))
    api.download_seconds = 120.0

    with appealdesk_run(desk, api) as first:
        api.document(OLEG, BOOKING, "booking.pdf", "application/pdf")
        wait_for(lambda: api.calls("getFile"))
        time.sleep(0.5)  # the download has started
        first.kill()
        first.wait(timeout=30)
    assert replies_naming_the_file(api) == [] and files_of(desk) == []

    api.download_seconds = 0.0
    with appealdesk_run(desk, api):
        wait_for(lambda: replies_naming_the_file(api))

    [reply] = replies_naming_the_file(api)  # once, though Telegram was never told the update arrived
    [evidence] = files_of(desk)
    assert "AD-2026-000001" in reply
    assert evidence.ticket_id is not None and evidence.size == len(BOOKING)
