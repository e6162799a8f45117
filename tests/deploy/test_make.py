"""The two commands of the quick start behave well on a fresh machine: `make run` and `make test`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_first_install_says_what_it_does_and_shows_pip_progress(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    dry_run = subprocess.run(
        ["make", "-n", "--no-print-directory", "-C", str(ROOT), f"VENV={venv}", f"{venv}/.installed"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert dry_run[0].startswith("echo ") and "installing AppealDesk" in dry_run[0]
    installs = [line for line in dry_run if " install " in line]
    assert installs and all("--quiet" not in line and " -q" not in line for line in installs)


def test_without_postgresql_one_line_says_its_tests_were_left_out_and_how_to_run_them() -> None:
    env = {name: value for name, value in os.environ.items() if name != "APPEALDESK_TEST_POSTGRES_URL"}
    result = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "test", "PYTEST_ARGS=-p no:cacheprovider tests/store/test_migrations.py"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    mentions = [line for line in result.stdout.splitlines() if "postgres" in line.lower()]
    assert len(mentions) == 1, result.stdout
    assert "APPEALDESK_TEST_POSTGRES_URL=postgresql://" in mentions[0] and "make test" in mentions[0]
    assert "SKIPPED" not in result.stdout and "skipped" not in result.stdout
