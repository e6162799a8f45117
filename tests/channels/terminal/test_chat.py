"""The local chat: numbered choices, files from disk, and notifications from another terminal."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.channels.terminal.chat import DeliveryThread, TerminalChat, run_chat, terminal_console
from bot.channels.terminal.console import Console
from bot.core.scheduler import Scheduler
from bot.core.tickets.actors import Actor
from bot.desk import Desk
from bot.store.models import JobLease
from tests.chat import EXPLANATION


def test_a_piped_conversation_walks_the_intake_with_numbers(desk: Desk, tmp_path: Path) -> None:
    booking = tmp_path / "booking.pdf"
    booking.write_bytes(b"%PDF-1.4 booking")
    lines = [
        "/appeal",
        "olga_dev",
        "1",
        "yesterday",
        "1",
        "1",
        "skip",
        "5",
        "5",
        "1",
        "9",
        EXPLANATION,
        "1",
        f"/file {booking}",
        "1",
        "1",
        "1",
        "1",
    ]
    out = io.StringIO()
    run_chat(desk, "olga", lines, out)
    text = out.getvalue()
    assert "[1] Start appeal" in text
    assert "Send them here: up to 10 files" in text and "To attach a file here, type /file PATH" in text
    assert "photos" not in text
    assert "Saved: booking.pdf" in text
    assert "Sent. Your reference is AD-2026-000001." in text


def test_a_missing_file_path_is_reported(desk: Desk) -> None:
    out = io.StringIO()
    run_chat(desk, "olga", ["/file /no/such/file.pdf"], out)
    assert "I cannot find /no/such/file.pdf" in out.getvalue()


def test_a_number_always_means_an_option_of_the_latest_question(desk: Desk) -> None:
    """A rule answer in the middle of the intake has its own options: they get letters, not numbers."""
    out = io.StringIO()
    lines = ["/appeal", "olga_dev", "1", "yesterday", "1", "1", "skip", "5", "5", "is a vpn allowed?"]
    run_chat(desk, "olga", lines, out)
    answer = out.getvalue().rsplit("Last reviewed", 1)[1]
    assert "[a] Yes, this helped" in answer and "[b] No" in answer and "[c] Talk to a person" in answer
    assert "[1] VPN or travel" in answer and "[1] Yes" not in answer
    out = io.StringIO()
    run_chat(desk, "olga", ["1"], out)
    assert "✓ VPN or travel" in out.getvalue()


def test_a_letter_chooses_an_option_of_an_earlier_message_and_the_numbers_stay(desk: Desk) -> None:
    out = io.StringIO()
    lines = ["/appeal", "olga_dev", "1", "yesterday", "is a vpn allowed?", "a", "1"]
    run_chat(desk, "olga", lines, out)
    assert "Thank you, glad it helped." in out.getvalue()
    assert "(5/13) Which reason" in out.getvalue().rsplit("glad it helped", 1)[1]  # "1": "No notice received"


def test_the_files_step_says_how_to_attach_a_file_here(desk: Desk) -> None:
    out = io.StringIO()
    run_chat(desk, "olga", [*_TO_EXPLANATION, EXPLANATION, "1"], out)
    files_step = out.getvalue().rsplit("Do you have files", 1)[1]
    assert "type /file PATH" in files_step and "no quotes needed" in files_step


def test_a_path_with_spaces_needs_no_quotes(desk: Desk, tmp_path: Path) -> None:
    booking = tmp_path / "my trip" / "hotel booking.pdf"
    booking.parent.mkdir()
    booking.write_bytes(b"%PDF-1.4 booking")
    out = io.StringIO()
    run_chat(desk, "olga", ["/appeal", f"/file {booking}", f"/file '{booking}'"], out)
    said = out.getvalue()  # both spellings read the same file: saved once, then recognised
    assert said.count("Saved: hotel booking.pdf") == 1 and "Already saved: hotel booking.pdf" in said


def test_a_folder_is_refused_clearly(desk: Desk, tmp_path: Path) -> None:
    out = io.StringIO()
    run_chat(desk, "olga", ["/appeal", f"/file {tmp_path}"], out)
    assert f"{tmp_path} is a folder" in out.getvalue()
    assert "Saved:" not in out.getvalue()


_TO_EXPLANATION = ["/appeal", "olga_dev", "1", "yesterday", "1", "1", "skip", "5", "5", "1", "9"]


@contextmanager
def live_chat(desk: Desk) -> Iterator[tuple[TerminalChat, io.StringIO]]:
    """Olga's terminal chat with its delivery thread running, and what it printed."""
    out = io.StringIO()
    console = terminal_console(desk, out.write)
    delivery = DeliveryThread(desk, console, "olga")
    delivery.start()
    try:
        yield TerminalChat(desk, "olga", console), out
    finally:
        delivery.stop()


def wait_for_update(out: io.StringIO) -> None:
    deadline = time.monotonic() + 5
    while "[update]" not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_an_agents_action_reaches_the_terminal_user_within_seconds(make_desk: object) -> None:
    desk: Desk = make_desk(outbox_poll_seconds=0.1)  # type: ignore[operator]
    with live_chat(desk) as (chat, out):
        for line in ["/human", "Is it fine to use Calendly with a client?"]:
            chat.send(line)
        agent_desk: Desk = make_desk()  # type: ignore[operator]
        reference = agent_desk.tickets.list(Actor("cli", "alice"))[0]["reference"]
        agent_desk.tickets.claim(reference, Actor("cli", "alice"))
        wait_for_update(out)
    assert f"[update] Update on {reference}: a reviewer has started working on your question." in out.getvalue()


def test_a_request_for_more_information_says_how_to_send_a_file_from_the_terminal(make_desk: object) -> None:
    desk: Desk = make_desk(outbox_poll_seconds=0.1)  # type: ignore[operator]
    with live_chat(desk) as (chat, out):
        for line in ["/human", "Is it fine to use Calendly with a client?"]:
            chat.send(line)
        agent_desk: Desk = make_desk()  # type: ignore[operator]
        reference = agent_desk.tickets.list(Actor("cli", "alice"))[0]["reference"]
        agent_desk.tickets.request_info(reference, Actor("cli", "alice"), "Which client is it?")
        wait_for_update(out)
    assert "You can send text, or files with /file PATH." in out.getvalue()
    assert "photos" not in out.getvalue()


def test_the_local_chat_also_keeps_the_response_promise(make_desk: object) -> None:
    """With only the local chat running, the scheduler still runs (once across processes)."""
    desk: Desk = make_desk(scheduler_interval_seconds=0.05)  # type: ignore[operator]
    delivery = DeliveryThread(desk, Console(desk.renderer, io.StringIO().write), "olga")
    delivery.start()
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _lease_owner(desk) is None:
            time.sleep(0.05)
        assert _lease_owner(desk) == desk.scheduler.owner
        other = Scheduler(desk.db, desk.settings, desk.clock, desk.tickets, desk.outbox, owner="elsewhere")
        assert not other.run_once().ran
    finally:
        delivery.stop()


def _lease_owner(desk: Desk) -> str | None:
    with desk.db.session() as session:
        lease = session.get(JobLease, "scheduler")
        return lease.owner if lease else None


def test_a_piped_hand_off_to_a_person_and_a_first_question(desk: Desk) -> None:
    out = io.StringIO()
    first_question = "my account was suspended, can I use a VPN while travelling?"
    person = ["/human", "Who can tell me when my funds are released?", "/human Will my open contracts still be paid?"]
    run_chat(desk, "olga", ["2", first_question, *person], out)  # 2: "First, ask a question" of the start menu
    text = out.getvalue()
    assert "Sure. Write your question in your own words" in text
    assert text.count("[1] Start appeal") == 1, "the start menu is not shown again after the question"
    assert "What would you like to ask a person?" in text
    questions = [
        row["value"] for view in desk.tickets.list(Actor("cli", "alice"), personal=True) for row in view["evidence"]
    ]
    assert questions == ["Who can tell me when my funds are released?", "Will my open contracts still be paid?"]


def test_an_agents_reply_reaches_the_terminal_and_the_answer_joins_the_ticket(make_desk: object) -> None:
    desk: Desk = make_desk(outbox_poll_seconds=0.1)  # type: ignore[operator]
    with live_chat(desk) as (chat, out):
        chat.send("/human May I invoice through my own company?")
        reference = desk.tickets.list(Actor("cli", "alice"))[0]["reference"]
        desk.tickets.reply(reference, Actor("cli", "alice"), "Yes, once the company is verified.")
        wait_for_update(out)
        chat.send("How do I verify it?")
    assert "[update] A person from Trust and Safety wrote to you about" in out.getvalue()
    assert "Yes, once the company is verified." in out.getvalue()
    conversation = desk.tickets.show(reference, Actor("cli", "alice"))["conversation"]
    assert [(message["from"], message["text"]) for message in conversation][-1] == ("user", "How do I verify it?")
