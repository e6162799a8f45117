"""`appealdesk tickets ...`: the agent's command line, with its stable --json shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.core.desk import Desk
from bot.core.events import Attachment
from tests.chat import ChatUser, file_appeal, pdf

runner = CliRunner()


@pytest.fixture
def env(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setenv("APPEALDESK_DATABASE_URL", desk.db.url)
    monkeypatch.setenv("APPEALDESK_AGENTS", "alice,bob")
    monkeypatch.setenv("APPEALDESK_EVIDENCE_DIR", str(desk.settings.evidence_dir))
    return desk


def invoke(*args: str) -> dict | list:  # type: ignore[type-arg]
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.output) if "--json" in args else {}


def test_list_show_claim_request_info_resolve_and_reopen(env: Desk, tmp_path: Path) -> None:
    user = ChatUser(env)
    reference = file_appeal(user, files=(pdf(),))
    listed = invoke("tickets", "list", "--agent", "alice", "--status", "new", "--json")
    assert [item["reference"] for item in listed] == [reference]  # type: ignore[index]

    shown = invoke("tickets", "show", reference, "--agent", "alice", "--json")
    assert set(shown) >= {"reference", "status", "outcome", "created_at", "evidence", "files", "events", "checklist"}
    assert shown["files"][0]["sha256"]  # type: ignore[index]

    assert invoke("tickets", "claim", reference, "--agent", "alice", "--json")["status"] == "in_review"  # type: ignore[index]
    asked = invoke("tickets", "request-info", reference, "--agent", "alice", "--message", "Send the booking.", "--json")
    assert asked["status"] == "awaiting_user"  # type: ignore[index]
    user.send("Attached, see the booking from 10 Nov.")
    invoke("tickets", "note", reference, "--agent", "bob", "--text", "Booking matches the logins.")
    resolved = invoke(
        "tickets",
        "resolve",
        reference,
        "--agent",
        "alice",
        "--outcome",
        "upheld",
        "--reason",
        "location-or-vpn",
        "--message",
        "Your logins were hidden behind a VPN for months.",
        "--facts",
        "Login history.",
        "--may-appeal-again",
        "--appeal-again-after",
        "2027-01-01",
        "--json",
    )
    assert (resolved["outcome"], resolved["may_appeal_again"]) == ("upheld", True)  # type: ignore[index]
    assert resolved["appeal_again_after"].startswith("2027-01-01")  # type: ignore[index]
    assert invoke("tickets", "reopen", reference, "--agent", "alice", "--json")["status"] == "in_review"  # type: ignore[index]

    result = runner.invoke(app, ["tickets", "download", reference, "1", "--agent", "bob", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"{reference}-1-booking.pdf").read_bytes() == b"%PDF-1.4 booking"
    again = runner.invoke(app, ["tickets", "download", reference, "1", "--agent", "bob", "-o", str(tmp_path)])
    assert again.exit_code == 1 and "nothing was overwritten" in again.output


def test_a_users_file_name_can_never_replace_a_file_of_the_agent(env: Desk, tmp_path: Path) -> None:
    user = ChatUser(env)
    reference = file_appeal(user)
    user.send(files=(Attachment("../.env", "text/plain", 9, lambda: b"EVIL=yes\n"),))
    (tmp_path / ".env").write_text("MINE=1\n")
    result = runner.invoke(app, ["tickets", "download", reference, "1", "--agent", "bob", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / ".env").read_text() == "MINE=1\n"
    assert (tmp_path / f"{reference}-1-env").read_bytes() == b"EVIL=yes\n"


def test_a_refused_action_explains_itself_and_exits_2(env: Desk) -> None:
    reference = file_appeal(ChatUser(env))
    result = runner.invoke(app, ["tickets", "claim", reference, "--agent", "mallory"])
    assert result.exit_code == 2
    assert "only support agents" in result.output
    result = runner.invoke(app, ["tickets", "reopen", reference, "--agent", "alice"])
    assert result.exit_code == 2
    assert "You cannot reopen a ticket that is new" in result.output


def test_the_human_readable_show_has_evidence_and_history(env: Desk) -> None:
    reference = file_appeal(ChatUser(env))
    result = runner.invoke(app, ["tickets", "show", reference, "--agent", "alice"])
    assert result.exit_code == 0, result.output
    assert "Account: olegz_dev" in result.output
    assert "History:" in result.output and "opened" in result.output
