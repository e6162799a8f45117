"""`appealdesk users export-data|erase-data CHANNEL:ID`: a person's data on request, from the command line."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.desk import Desk
from tests.chat import ChatUser, file_appeal, pdf

runner = CliRunner()


@pytest.fixture
def env(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setenv("APPEALDESK_DATABASE_URL", desk.db.url)
    monkeypatch.setenv("APPEALDESK_AGENTS", "alice")
    file_appeal(ChatUser(desk, name="4711", display_name="Olga Petrenko"), files=(pdf(),))
    return desk


def data(*args: str, stdin: str | None = None, code: int = 0) -> Result:
    result = runner.invoke(app, ["users", *args], input=stdin)
    assert result.exit_code == code, result.output
    return result


def test_export_to_a_folder_writes_the_json_and_the_files(env: Desk, tmp_path: Path) -> None:
    out = tmp_path / "olga"
    result = data("export-data", "terminal:4711", "--out", str(out))
    assert "1 file(s)" in result.output
    exported = json.loads((out / "data.json").read_text())
    assert exported["identity"]["display_name"] == "Olga Petrenko"
    assert (out / exported["files"][0]["in_export"]).read_bytes() == b"%PDF-1.4 booking"


def test_export_to_a_zip(env: Desk, tmp_path: Path) -> None:
    out = tmp_path / "exports" / "olga.zip"
    data("export-data", "terminal:4711", "--out", str(out))
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert "data.json" in names
        exported = json.loads(archive.read("data.json"))
        assert archive.read(exported["files"][0]["in_export"]) == b"%PDF-1.4 booking"


def test_erase_asks_first_and_names_the_tickets_kept(env: Desk) -> None:
    refused = data("erase-data", "terminal:4711", "--agent", "alice", stdin="n\n", code=1)
    assert "Erase the personal data of terminal:4711?" in refused.output
    assert env.user_of("terminal", "4711") is not None

    done = data("erase-data", "terminal:4711", "--agent", "alice", "--yes")
    assert "Tickets kept, without it: AD-" in done.output
    assert env.user_of("terminal", "4711") is None


def test_only_an_agent_may_erase(env: Desk) -> None:
    result = data("erase-data", "terminal:4711", "--agent", "mallory", "--yes", code=2)
    assert env.user_of("terminal", "4711") is not None
    assert result.output.strip()


def test_an_unknown_person_or_a_bad_identity_is_one_clear_line(env: Desk, tmp_path: Path) -> None:
    unknown = data("export-data", "terminal:nobody", "--out", str(tmp_path / "x"), code=1)
    assert "Nobody with the identity terminal:nobody" in unknown.output
    bad = data("export-data", "nobody", "--out", str(tmp_path / "x"), code=2)
    assert "CHANNEL:USER_ID" in bad.output
