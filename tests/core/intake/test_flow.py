"""The appeal intake, step by step, as a freelancer experiences it."""

from __future__ import annotations

from sqlmodel import select

from bot.desk import Desk
from bot.store.models import Conversation, Evidence, Ticket
from tests.chat import (
    EXPLANATION,
    ChatUser,
    file_appeal,
    pdf,
    walk_to_explanation,
    walk_to_member_since,
    walk_to_triggers,
)
from tests.conftest import DeskFactory


def test_a_complete_intake_opens_a_ticket_with_structured_evidence(desk: Desk) -> None:
    user = ChatUser(desk)
    reference = file_appeal(user, files=(pdf(),))

    assert reference == "AD-2026-000001"
    text = user.text()
    assert "You are number 1 in the queue" in text
    assert "Thu 26 Nov, 12:00 UTC" in text
    with desk.db.session() as session:
        ticket = session.exec(select(Ticket)).one()
        assert ticket.status == "new"
        assert ticket.account_key == "profile:olegz_dev"
        assert ticket.answers["what_happened"]["value"] == "permanent"
        assert ticket.answers["triggers"]["value"] == ["vpn_travel"]
        assert ticket.answers["explanation"]["value"] == EXPLANATION
        assert len(ticket.answers["explanation"]["sha256"]) == 64
        assert ticket.answers["earnings"]["skipped"] is True
        assert "checklist.notice_missing" in ticket.checklist
        assert "checklist.travel_proof" in ticket.checklist
        files = session.exec(select(Evidence)).all()
        assert [(item.name, item.ticket_id, item.size) for item in files] == [("booking.pdf", ticket.id, 16)]


def test_every_question_shows_progress_and_one_question_at_a_time(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/appeal")
    assert user.text().splitlines()[-2].startswith("(1/13) Which account is it?")
    user.send("https://www.workmarket.example/freelancers/~01abc")
    assert user.text().startswith("(2/13) What happened")


def test_the_account_must_be_a_username_profile_link_or_email(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/appeal")
    user.send("my account")
    assert user.templates() == ["intake/invalid.j2", "intake/steps/account.j2"]
    assert "olegz_dev" in user.text()
    user.send("olga@example.com")
    assert user.templates() == ["intake/steps/what_happened.j2"]


def test_choices_accept_numbers_words_and_typos(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/appeal")
    user.send("olga_dev")
    user.send("permanantly suspended")
    assert user.templates() == ["intake/steps/notice_date.j2"]
    user.send("back")
    user.send("1")
    assert user.templates() == ["intake/steps/notice_date.j2"]


def test_dates_are_flexible_but_never_in_the_future(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/appeal")
    user.send("olga_dev")
    user.press("Temporary hold")
    user.send("2099-01-01")
    assert "future" in user.text()
    user.send("someday")
    assert "could not read that date" in user.text()
    user.send("nov 20")
    assert user.templates() == ["intake/steps/notice_text.j2"]


def test_explanation_needs_a_minimum_length(desk: Desk) -> None:
    user = ChatUser(desk)
    walk_to_explanation(user)
    user.send("it was a mistake")
    user.press("That's all")
    assert "at least 40 characters" in user.text()
    user.send("I only logged in from a hotel while I was travelling.")
    user.press("That's all")
    assert user.templates() == ["intake/steps/evidence.j2"]
    with desk.db.session() as session:
        draft = session.exec(select(Conversation)).one().answers
    assert draft["explanation"]["value"] == "it was a mistake\nI only logged in from a hotel while I was travelling."


def test_multi_choice_toggles_and_needs_at_least_one(desk: Desk) -> None:
    user = ChatUser(desk)
    walk_to_triggers(user)
    user.press("Done")
    assert "at least one option" in user.text()
    user.press("VPN or travel")
    user.press("Client dispute")
    assert user.last[-1].replaces_buttons
    assert "✓ VPN or travel" in user.labels() and "✓ Client dispute" in user.labels()
    user.press("Client dispute")
    assert "Client dispute" in user.labels()
    user.press("Done")
    assert user.templates() == ["intake/steps/explanation.j2"]


def test_back_returns_to_the_previous_question_and_keeps_answers(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/appeal")
    user.send("olga_dev")
    user.press("Temporary hold")
    user.press("Back")
    assert user.templates() == ["intake/steps/what_happened.j2"]
    user.send("back")
    assert user.templates() == ["intake/steps/account.j2"]
    user.send("back")
    assert "first question" in user.text()


def test_optional_steps_can_be_skipped(desk: Desk) -> None:
    user = ChatUser(desk)
    walk_to_member_since(user)
    user.send("skip")
    assert user.templates() == ["intake/steps/badge.j2"]
    user.press("Skip")
    assert user.templates() == ["intake/steps/earnings.j2"]


def test_a_worried_user_skips_the_notice_questions(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/appeal")
    user.send("olga_dev")
    user.press("Nothing yet, I'm worried")
    assert user.templates() == ["intake/steps/member_since.j2"]
    assert user.text().startswith("(3/10)")


def test_cancel_works_everywhere_and_deletes_the_draft_files(desk: Desk) -> None:
    user = ChatUser(desk)
    walk_to_explanation(user)
    user.send(files=(pdf(),))
    user.send("/cancel")
    assert user.templates() == ["intake/cancelled.j2"]
    with desk.db.session() as session:
        assert session.exec(select(Evidence)).all() == []
    user.send("/cancel")
    assert user.templates() == ["idle/nothing_to_cancel.j2"]


def test_a_question_in_the_middle_is_answered_and_the_intake_resumes(desk: Desk) -> None:
    user = ChatUser(desk)
    walk_to_triggers(user)
    user.send("is a vpn allowed?")
    templates = user.templates()
    assert templates[0].startswith("answers/")
    assert templates[-2:] == ["intake/back_to_step.j2", "intake/steps/triggers.j2"]


def test_files_sent_before_the_files_step_are_kept(desk: Desk) -> None:
    user = ChatUser(desk)
    walk_to_explanation(user)
    user.send(files=(pdf(),))
    assert "Saved: booking.pdf" in user.text()
    assert user.templates()[-1] == "intake/steps/explanation.j2"
    user.send(EXPLANATION)
    user.press("That's all")
    assert "1 file(s) saved" in user.text()


def test_files_too_big_or_of_the_wrong_type_are_refused_clearly(make_desk: DeskFactory) -> None:
    desk = make_desk(evidence_max_bytes=100)
    user = ChatUser(desk)
    _walk_to_evidence(user)
    big = pdf(content=b"x" * 101)
    exe = pdf(name="tool.exe", content=b"MZ")
    exe = type(exe)("tool.exe", "application/x-msdownload", 2, lambda: b"MZ")
    user.send(files=(big, exe))
    text = user.text()
    assert "Not saved: booking.pdf - it is larger than 0.0 MB" in text
    assert "Not saved: tool.exe - I can only take PDF files" in text
    with desk.db.session() as session:
        assert session.exec(select(Evidence)).all() == []


def test_the_summary_lets_the_user_edit_any_answer(desk: Desk) -> None:
    user = ChatUser(desk)
    _walk_to_summary(user)
    assert "Account: olga_dev" in user.text()
    user.press("Edit: Account")
    user.send("olga_new")
    assert user.templates() == ["intake/summary.j2"]
    assert "Account: olga_new" in user.text()


def test_consent_is_required(desk: Desk) -> None:
    user = ChatUser(desk)
    _walk_to_consent(user)
    user.press("No")
    assert user.templates() == ["intake/consent_needed.j2", "intake/steps/consent.j2"]
    user.send("yes")
    assert user.templates() == ["intake/summary.j2"]


def test_e_mail_contact_asks_for_the_address(desk: Desk) -> None:
    user = ChatUser(desk)
    _walk_to_evidence(user)
    user.press("Done, no more files")
    user.press("By e-mail as well")
    user.send("not an email")
    assert "name@example.com" in user.text()
    user.send("olga@example.com")
    assert user.templates() == ["intake/steps/consent.j2"]


def test_a_restart_mid_intake_continues_where_the_user_was(make_desk: DeskFactory) -> None:
    first = ChatUser(make_desk())
    walk_to_triggers(first)
    restarted = ChatUser(make_desk())
    restarted.press_payload(first.payload("VPN or travel"))
    restarted.send("done")
    assert restarted.templates() == ["intake/steps/explanation.j2"]


def test_a_duplicate_update_changes_nothing(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/appeal", update_id="u-1")
    assert user.send("olga_dev", update_id="u-2")
    hold = user.payload("Temporary hold")
    assert user.send("olga_dev", update_id="u-2") == []
    user.press_payload(hold)
    assert user.templates() == ["intake/steps/notice_date.j2"]


def test_a_second_appeal_for_the_same_account_shows_the_open_one(desk: Desk) -> None:
    user = ChatUser(desk)
    reference = file_appeal(user)
    user.send("/appeal")
    assert user.templates() == ["idle/appeal_open.j2"]
    assert reference in user.text()


def test_someone_else_filing_for_the_same_account_is_neither_blocked_nor_told(desk: Desk) -> None:
    """Nobody can squat an account's appeal, or learn from the bot that an account is under appeal."""
    file_appeal(ChatUser(desk, name="mallory"))
    owner = ChatUser(desk, name="oleg")
    owner.send("/appeal")
    owner.send("olegz_dev")
    assert owner.templates() == ["intake/steps/what_happened.j2"]
    reference = file_appeal(ChatUser(desk, name="oleg2"))
    with desk.db.session() as session:
        ticket = session.exec(select(Ticket).where(Ticket.reference == reference)).one()
    assert "checklist.other_open_appeal" in ticket.checklist


def test_buttons_from_an_older_step_are_refused_with_a_notice(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/appeal")
    user.send("olga_dev")
    old = user.payload("Temporary hold")
    user.press("Temporary hold")
    user.press_payload(old)
    assert user.templates() == ["errors/stale_button.j2", "intake/steps/notice_date.j2"]


def _walk_to_evidence(user: ChatUser) -> None:
    walk_to_explanation(user)
    user.send(EXPLANATION)
    user.press("That's all")


def _walk_to_consent(user: ChatUser) -> None:
    _walk_to_evidence(user)
    user.press("Done, no more files")
    user.press("Here in this chat")


def _walk_to_summary(user: ChatUser) -> None:
    _walk_to_consent(user)
    user.press("Yes, I agree")


def test_an_overlong_account_is_refused_before_it_can_break_the_ticket(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/appeal")
    user.send("https://www.workmarket.example/freelancers/~" + "a" * 300)
    assert "too long for an account" in user.text()


def test_cancel_deletes_the_stored_files_from_disk_too(desk: Desk) -> None:
    user = ChatUser(desk)
    walk_to_explanation(user)
    user.send(files=(pdf(content=b"%PDF-1.4 passport scan"),))
    stored = [path for path in desk.settings.evidence_dir.rglob("*") if path.is_file()]
    assert len(stored) == 1
    user.send("/cancel")
    assert not stored[0].exists()


def test_answers_to_steps_that_no_longer_apply_do_not_reach_the_ticket(desk: Desk) -> None:
    user = ChatUser(desk)
    _walk_to_evidence(user)
    user.press("Done, no more files")
    user.press("By e-mail as well")
    user.send("olga.private@example.com")
    user.press("Yes, I agree")
    user.press("Edit: How to contact you")
    user.press("Here in this chat")
    assert user.templates() == ["intake/summary.j2"]
    user.press("Send appeal")
    with desk.db.session() as session:
        ticket = session.exec(select(Ticket)).one()
    assert "contact_email" not in ticket.answers
    assert ticket.answers["contact"]["value"] == "chat"
