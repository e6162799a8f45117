"""`appealdesk tickets ...`: the agent's command line, with its stable --json shape."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.core.accounts import Role
from bot.core.clock import ManualClock
from bot.core.events import Attachment
from bot.core.tickets.actors import Actor
from bot.desk import Desk
from tests.chat import ChatUser, file_appeal, open_question, pdf

runner = CliRunner()


@pytest.fixture
def env(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setenv("APPEALDESK_DATABASE_URL", desk.db.url)
    monkeypatch.setenv("APPEALDESK_AGENTS", "alice,bob")
    monkeypatch.setenv("APPEALDESK_EVIDENCE_DIR", str(desk.settings.evidence_dir))
    return desk


def said(result: Result) -> str:
    """The output as one line: Typer wraps its error box to the terminal's width."""
    return " ".join(result.output.replace("│", " ").split())


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


def test_show_names_each_status_from_the_agents_side(env: Desk) -> None:
    reference = file_appeal(ChatUser(env))
    steps = [
        (["show"], "New, nobody has claimed it"),
        (["claim"], "In review - cli:alice"),
        (["request-info", "--message", "Send the booking."], "Waiting for the user's answer - cli:alice"),
    ]
    for command, header in steps:
        result = runner.invoke(app, ["tickets", command[0], reference, "--agent", "alice", *command[1:]])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[0] == f"{reference} - Appeal - {header}"
        assert "your answer" not in result.output


def test_a_decided_ticket_shows_when_it_was_decided_instead_of_a_due_time(env: Desk) -> None:
    reference = open_question(env, "May I invoice through my own company?")
    invoke(
        "tickets",
        "resolve",
        reference,
        "--agent",
        "alice",
        "--outcome",
        "answered",
        "--message",
        "Yes, once the company is verified.",
    )
    result = runner.invoke(app, ["tickets", "show", reference, "--agent", "alice"])
    assert result.exit_code == 0, result.output
    assert re.search(r"^Decided: \w{3} \d{2} \w{3}, \d{2}:\d{2} UTC$", result.output, re.MULTILINE), result.output
    assert "due" not in result.output.lower()


@pytest.mark.parametrize(
    "command",
    [["show", "REF"], ["reopen", "REF"], ["download", "REF", "1"], ["list", "--json"], ["list"]],
    ids=lambda command: " ".join(command),
)
def test_every_command_that_shows_or_changes_a_ticket_needs_the_agent(env: Desk, command: list[str]) -> None:
    reference = file_appeal(ChatUser(env), files=(pdf(),))
    result = runner.invoke(app, ["tickets", *[reference if part == "REF" else part for part in command]])
    assert result.exit_code == 2
    assert "Missing option '--agent' (env var: 'APPEALDESK_AGENT')" in said(result)


def test_the_audit_trail_names_the_agent_who_looked_changed_or_downloaded(
    env: Desk, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    reference = file_appeal(ChatUser(env), files=(pdf(),))
    monkeypatch.setenv("APPEALDESK_AGENT", "bob")
    invoke("tickets", "show", reference)
    invoke("tickets", "download", reference, "1", "-o", str(tmp_path))
    invoke("tickets", "list", "--personal", "--json")
    invoke(
        "tickets",
        "resolve",
        reference,
        "--agent",
        "alice",
        "--outcome",
        "withdrawn",
        "--reason",
        "user-request",
        "--message",
        "You asked us to withdraw the appeal.",
        "--facts",
        "Your message of today.",
    )
    invoke("tickets", "reopen", reference)
    view = env.tickets.show(reference, Actor("system", "appealdesk"))
    trail = [(event["actor"], event["action"], event["file"]) for event in view["events"]]
    assert trail[1:] == [
        ("cli:bob", "viewed", None),
        ("cli:bob", "downloaded", 1),
        ("cli:bob", "listed", None),
        ("cli:alice", "resolve", None),
        ("cli:bob", "reopen", None),
        ("system:appealdesk", "viewed", None),
    ]


def test_list_json_shows_no_personal_data_and_logs_nothing_unless_asked(env: Desk) -> None:
    reference = file_appeal(ChatUser(env), account="olga.k@example.com")
    before = len(env.tickets.show(reference, Actor("system", "appealdesk"))["events"])

    listed = json.dumps(invoke("tickets", "list", "--agent", "alice", "--json"))
    assert "olga.k@example.com" not in listed and "[hidden" in listed
    assert len(env.tickets.show(reference, Actor("system", "appealdesk"))["events"]) == before + 1  # only that show

    (item,) = invoke("tickets", "list", "--agent", "alice", "--json", "--personal")  # type: ignore[misc]
    assert item["account"] == "email:olga.k@example.com" and item["subject"].startswith("I was travelling in Turkey")
    events = env.tickets.show(reference, Actor("system", "appealdesk"))["events"]
    assert [(event["actor"], event["action"]) for event in events[-2:-1]] == [("cli:alice", "listed")]


def test_the_queue_is_a_readable_table_with_subject_requester_age_and_due(env: Desk, clock: ManualClock) -> None:
    clock.advance(seconds=(datetime.now(UTC) - clock.now()).total_seconds() - 30 * 3600)  # 6 h past its 24 h
    late = file_appeal(ChatUser(env, "olga"))
    clock.advance(hours=30)
    fresh = file_appeal(ChatUser(env, "pavel"), account="pavel_dev")
    decided = file_appeal(ChatUser(env, "rita"), account="rita_dev")
    invoke(
        "tickets",
        "resolve",
        decided,
        "--agent",
        "alice",
        "--outcome",
        "withdrawn",
        "--reason",
        "user-request",
        "--message",
        "You asked us to withdraw the appeal.",
        "--facts",
        "Your message of today.",
    )

    result = runner.invoke(app, ["tickets", "list", "--agent", "alice", "--status", "all"])
    assert result.exit_code == 0, result.output
    header, first, second, third = result.output.splitlines()[:4]
    assert header.split() == ["REFERENCE", "KIND", "STATUS", "AGE", "DUE", "/", "DECIDED", "REQUESTER", "SUBJECT"]
    assert first.startswith(late) and " appeal " in first and " new " in first and " 1d 6h " in first
    assert " OVERDUE by 6h " in first
    assert "terminal:olga" in first and first.endswith("used a VPN for my ba…")
    assert fresh in second and " due " in second and "terminal:pavel" in second
    assert decided in third and " resolved " in third and " decided " in third and " due " not in third


def test_an_unknown_status_is_an_error_listing_the_valid_ones(env: Desk) -> None:
    result = runner.invoke(app, ["tickets", "list", "--agent", "alice", "--status", "closed"])
    assert result.exit_code == 2
    assert "'closed' is not one of 'open', 'new', 'in_review', 'awaiting_user', 'resolved', 'all'" in said(result)


def test_download_creates_the_folder_or_refuses_a_file_in_its_place(env: Desk, tmp_path: Path) -> None:
    reference = file_appeal(ChatUser(env), files=(pdf(),))
    folder = tmp_path / "cases" / reference
    result = runner.invoke(app, ["tickets", "download", reference, "1", "--agent", "bob", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    assert (folder / f"{reference}-1-booking.pdf").read_bytes() == b"%PDF-1.4 booking"

    (tmp_path / "notes.txt").write_text("mine")
    result = runner.invoke(
        app, ["tickets", "download", reference, "1", "--agent", "bob", "-o", str(tmp_path / "notes.txt")]
    )
    assert result.exit_code == 2
    assert "is a file" in said(result) and (tmp_path / "notes.txt").read_text() == "mine"


def test_list_escalated_shows_only_tickets_that_missed_a_target(env: Desk, clock: ManualClock) -> None:
    late = file_appeal(ChatUser(env, name="olga"))
    clock.advance(hours=env.settings.first_response_hours + 1)
    on_time = file_appeal(ChatUser(env, name="oleg"), account="oleg_dev")
    env.scheduler.run_once()
    assert [item["reference"] for item in invoke("tickets", "list", "--agent", "bob", "--json")] == [late, on_time]  # type: ignore[index]
    escalated = invoke("tickets", "list", "--agent", "bob", "--escalated", "--json")
    assert [(item["reference"], item["escalation_level"]) for item in escalated] == [(late, 1)]  # type: ignore[index]
    result = runner.invoke(app, ["tickets", "list", "--agent", "bob", "--escalated"])
    assert late in result.output and "! = escalated" in result.output and on_time not in result.output


def test_a_question_is_answered_without_facts_and_help_and_refusal_agree(env: Desk) -> None:
    reference = open_question(env, "Can I share my screen with a client over Zoom?")
    answer = "Yes, screen sharing with a client is fine; keep payments here."
    wrong = runner.invoke(
        app, ["tickets", "resolve", reference, "--agent", "alice", "--outcome", "upheld", "--message", answer]
    )
    assert wrong.exit_code == 2 and "A question ends answered" in wrong.output
    boxed = runner.invoke(app, ["tickets", "resolve", "--help"]).output
    help_text = " ".join(re.sub("[│╭╮╰╯─]", " ", boxed).split())
    assert "An appeal ends reinstated | upheld | withdrawn; a question ends answered." in help_text
    resolved = invoke(
        "tickets", "resolve", reference, "--agent", "alice", "--outcome", "answered", "--message", answer, "--json"
    )
    assert (resolved["status"], resolved["outcome"], resolved["reason_category"]) == (  # type: ignore[index]
        "resolved",
        "answered",
        "question-answered",
    )


def test_show_says_what_a_question_ticket_asks_in_text_and_json(env: Desk) -> None:
    user = ChatUser(env)
    user.send("/human May I invoice a client through my own company?")
    reference = str(user.last[0].context["reference"])
    result = runner.invoke(app, ["tickets", "show", reference, "--agent", "alice"])
    assert result.exit_code == 0, result.output
    assert "Question: May I invoice a client through my own company?" in result.output
    shown = invoke("tickets", "show", reference, "--agent", "alice", "--json")
    assert shown["evidence"] == [  # type: ignore[index]
        {
            "key": "question",
            "label": "field.question",
            "value": "May I invoice a client through my own company?",
            "choice_labels": [],
            "personal": False,
            "received_at": shown["created_at"],  # type: ignore[index]
            "sha256": None,
        }
    ]


def test_reply_talks_to_the_user_and_show_has_the_conversation(env: Desk) -> None:
    user = ChatUser(env)
    user.send("/human May I invoice a client through my own company?")
    reference = str(user.last[0].context["reference"])
    replied = invoke(
        "tickets", "reply", reference, "--agent", "alice", "--message", "Yes, if the company is verified.", "--json"
    )
    assert replied["status"] == "new"  # type: ignore[index]
    assert replied["events"][-1]["action"] == "reply"  # type: ignore[index]
    user.send("How do I verify it?")
    invoke("tickets", "note", reference, "--agent", "bob", "--text", "Link the KYB article.")

    result = runner.invoke(app, ["tickets", "show", reference, "--agent", "alice"])
    assert result.exit_code == 0, result.output
    conversation = result.output.split("Conversation:\n", 1)[1].split("History:", 1)[0]
    assert "cli:alice: Yes, if the company is verified." in conversation
    assert "the user: How do I verify it?" in conversation
    assert "KYB" not in conversation, "internal notes are not part of the conversation"
    shown = invoke("tickets", "show", reference, "--agent", "alice", "--json")
    assert [(item["from"], item["text"]) for item in shown["conversation"]] == [  # type: ignore[index]
        ("agent", "Yes, if the company is verified."),
        ("user", "How do I verify it?"),
    ]


def test_reply_without_a_message_is_refused(env: Desk) -> None:
    reference = file_appeal(ChatUser(env))
    result = runner.invoke(app, ["tickets", "reply", reference, "--agent", "alice", "--message", " "])
    assert result.exit_code == 2 and "Please write the message for the user." in result.output


def test_every_tickets_command_and_option_says_what_it_is_for() -> None:
    tickets = typer.main.get_command(app).commands["tickets"]  # type: ignore[attr-defined]
    listed = tickets.help.removeprefix("The agent's side: ").rstrip(".").split(", ")
    assert sorted(listed) == sorted(name.replace("-", " ") for name in tickets.commands)
    for name, command in tickets.commands.items():
        assert command.help, name
        for option in command.params:
            if isinstance(option, click.Option) and option.name != "help":
                assert option.help, f"tickets {name} {option.opts[0]} has no help"


def test_appeal_again_after_takes_the_same_forms_as_every_surface(env: Desk) -> None:
    reference = file_appeal(ChatUser(env))
    decision = ["--agent", "alice", "--outcome", "upheld", "--reason", "multiple-accounts", "--may-appeal-again"]
    words = ["--message", "Two accounts share one payout method.", "--facts", "Payout records of November."]
    gone = runner.invoke(
        app, ["tickets", "resolve", reference, *decision, *words, "--appeal-again-after", "2020-03-01"]
    )
    assert gone.exit_code == 2 and "Sun 01 Mar 2020 has already passed" in gone.output
    nonsense = runner.invoke(
        app, ["tickets", "resolve", reference, *decision, *words, "--appeal-again-after", "soonish"]
    )
    assert nonsense.exit_code == 2 and '"soonish" is not a date I can read' in nonsense.output
    resolved = invoke(
        "tickets", "resolve", reference, *decision, *words, "--appeal-again-after", "in 30 days", "--json"
    )
    expected = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    assert resolved["appeal_again_after"].startswith(expected)  # type: ignore[index]


def test_a_command_line_supervisor_reassigns_to_a_console_account_and_an_agent_cannot(
    env: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APPEALDESK_SUPERVISORS", "bob")
    env.accounts.add("nina", Role.AGENT, "a long enough password")
    reference = file_appeal(ChatUser(env))
    invoke("tickets", "claim", reference, "--agent", "alice")
    refused = runner.invoke(app, ["tickets", "reassign", reference, "--to", "nina", "--agent", "alice"])
    assert refused.exit_code == 2 and "Only a supervisor can hand a ticket to someone else." in refused.output
    view = invoke("tickets", "reassign", reference, "--to", "nina", "--agent", "bob", "--json")
    assert (view["assignee"], view["events"][-1]["actor"], view["events"][-1]["action"]) == (  # type: ignore[call-overload]
        "console:nina",
        "cli:bob",
        "reassign",
    )
