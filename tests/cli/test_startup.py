"""`appealdesk run` starting up: a failure is one short message naming the setting, and exit code 1.

Each test runs the installed command in a child process, as an operator would, against the fake
Telegram Bot API on 127.0.0.1 or an address where nothing listens.
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.telegram_bot_api import FakeBotApi

APPEALDESK = str(Path(sys.executable).parent / "appealdesk")
BANNER = "AppealDesk is running"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("APPEALDESK_")}
    env.update(
        APPEALDESK_DATABASE_URL=f"sqlite:///{tmp_path / 'appealdesk.db'}",
        APPEALDESK_EVIDENCE_DIR=str(tmp_path / "evidence"),
        APPEALDESK_HTTP_PORT=str(free_port()),
    )
    env.update({f"APPEALDESK_{name.upper()}": value for name, value in settings.items()})
    return env


def start(tmp_path: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [APPEALDESK, *args, "run"],
        env=environment(tmp_path, **settings),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_refused(result: subprocess.CompletedProcess[str], setting: str) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert BANNER not in result.stdout
    assert "Traceback" not in result.stderr
    (message,) = [line for line in result.stderr.splitlines() if line.startswith("AppealDesk could not start.")]
    assert f" {setting}: " in message
    return message


def test_a_bad_setting_value_is_named(tmp_path: Path) -> None:
    message = assert_refused(start(tmp_path, http_port="eighty"), "APPEALDESK_HTTP_PORT")
    assert "valid integer" in message


def test_a_database_that_is_down_is_named_without_its_password(tmp_path: Path) -> None:
    result = start(tmp_path, database_url=f"postgresql://appealdesk:s3cret@127.0.0.1:{free_port()}/appealdesk")
    message = assert_refused(result, "APPEALDESK_DATABASE_URL")
    assert "s3cret" not in result.stderr + result.stdout and "127.0.0.1" in message


def test_an_unreachable_telegram_api_is_named(tmp_path: Path) -> None:
    result = start(tmp_path, telegram_token="123456:TEST-TOKEN", telegram_api_url=f"http://127.0.0.1:{free_port()}")
    assert "cannot reach Telegram" in assert_refused(result, "APPEALDESK_TELEGRAM_API_URL")


def test_a_token_telegram_refuses_is_named_and_debug_shows_the_traceback(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        wrong = {"telegram_token": "123456:WRONG-TOKEN", "telegram_api_url": api.url}
        assert "refused the token" in assert_refused(start(tmp_path, **wrong), "APPEALDESK_TELEGRAM_TOKEN")
        debugged = start(tmp_path, "--debug", **wrong)
    assert debugged.returncode != 0 and "Traceback" in debugged.stderr


def test_running_is_announced_only_once_every_channel_has_started(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        env = environment(tmp_path, telegram_token=api.token, telegram_api_url=api.url)
        process = subprocess.Popen(
            [APPEALDESK, "run"], env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        try:
            assert process.stdout is not None
            first = process.stdout.readline()
            assert first.startswith(BANNER), first
            assert api.calls("getMe") and api.calls("setMyCommands")
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    assert process.returncode == 0


@pytest.mark.parametrize("command", [["tickets", "list", "--agent", "alice"], ["chat"]])
def test_other_commands_fail_as_clearly_on_a_bad_database_url(tmp_path: Path, command: list[str]) -> None:
    result = subprocess.run(
        [APPEALDESK, *command],
        env=environment(tmp_path, database_url="not a database"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        input="",
        timeout=60,
    )
    assert_refused(result, "APPEALDESK_DATABASE_URL")


def test_the_first_start_prints_the_first_admins_one_time_password_and_later_starts_do_not(tmp_path: Path) -> None:
    def banner() -> str:
        process = subprocess.Popen(
            [APPEALDESK, "run"],
            env=environment(tmp_path),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert process.stdout is not None
            lines = iter(process.stdout.readline, "")
            return "".join(itertools.takewhile(lambda line: not line.startswith("Stop with Ctrl-C"), lines))
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)

    first = banner()
    assert first.startswith(BANNER) and "/console/" in first
    assert "Channels: web." in first and "Not configured: telegram, slack" in first
    password = re.search(r"Sign in as \"admin\" with the one-time password (\S+)", first)
    assert password is not None, first
    assert "one-time password" not in banner()
