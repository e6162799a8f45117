"""The platform's record, shown first: when the platform has acted on the account the user names, the
intake says what it has on record before the next question and does not ask what the record answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.desk import Desk
from bot.store.models import Conversation, Ticket
from tests.chat import ChatUser, file_appeal
from tests.platform import TAKEN_AT, record_action


def test_the_record_is_shown_before_the_next_question_and_answers_what_it_knows(desk: Desk) -> None:
    record_action(desk)
    user = ChatUser(desk)
    user.send("/appeal")
    user.send("olegz_dev")

    assert user.templates() == ["intake/on_record.j2", "intake/steps/notice_text.j2"]
    text = user.text()
    assert "WorkMarket has this on record for your account: a permanent suspension, on Wed 25 Nov, 09:30 UTC" in text
    assert "The reason: someone else using your account." in text
    assert "The rule: Letting someone else use your account, shared devices and internet" in text
    assert "Someone else logged in to your account from another country" in text
    assert "Logins from two countries" not in text  # the internal note stays with agents
    assert "(2/10)" in text  # what happened, when and the reason are not asked


def test_the_appeal_carries_the_records_answers_marked_as_the_platforms(desk: Desk) -> None:
    record_action(desk, action="temporary_hold", reason="location-or-vpn", rules=())
    reference = file_appeal(ChatUser(desk))

    with desk.db.session() as session:
        ticket = session.exec(select(Ticket).where(Ticket.reference == reference)).one()
        answers = ticket.answers
    assert {key: answers[key]["value"] for key in ("what_happened", "notice_date", "reason_given")} == {
        "what_happened": "hold",
        "notice_date": "2026-11-25",
        "reason_given": "irregular",
    }
    assert {answers[key]["from"] for key in ("what_happened", "notice_date", "reason_given")} == {"platform"}
    assert "from" not in answers["notice_text"]  # the user's own answer


def test_the_summary_says_which_answers_came_from_the_record_and_a_changed_one_is_the_users(desk: Desk) -> None:
    record_action(desk)
    user = ChatUser(desk)
    file_appeal_to_summary(user)
    assert "What happened: Permanently suspended (from WorkMarket's record)" in user.text()

    user.press("Edit: What happened")
    user.press("Temporary hold")
    assert "What happened: Temporary hold\n" in user.text()
    assert "Reason given: Terms of Service violation (from WorkMarket's record)" in user.text()


def test_a_warning_is_shown_but_what_happened_is_still_asked(desk: Desk) -> None:
    record_action(desk, action="warning")
    user = ChatUser(desk)
    user.send("/appeal")
    user.send("olegz_dev")
    assert user.templates() == ["intake/on_record.j2", "intake/steps/what_happened.j2"]
    assert "a warning" in user.text() and "I filled them in" not in user.text()
    assert "I took the date from this record, so I will not ask when it happened" in user.text()


@pytest.mark.parametrize("action", ["warning", "lifted"])
def test_the_notice_date_is_never_asked_when_there_is_a_record(desk: Desk, action: str) -> None:
    record_action(desk, action=action)
    user = ChatUser(desk)
    user.send("/appeal")
    user.send("olegz_dev")
    user.press("Temporary hold")  # the user says more is restricted than the record shows

    assert user.templates() == ["intake/steps/notice_text.j2"]
    with desk.db.session() as session:
        notice_date = session.exec(select(Conversation)).one().answers["notice_date"]
    assert (notice_date["value"], notice_date["from"]) == ("2026-11-25", "platform")


def test_only_the_latest_record_counts(desk: Desk) -> None:
    record_action(desk)
    record_action(desk, action="lifted", taken_at=TAKEN_AT + timedelta(hours=2))
    user = ChatUser(desk)
    user.send("/appeal")
    user.send("olegz_dev")
    assert user.templates() == ["intake/on_record.j2", "intake/steps/what_happened.j2"]
    assert "the restriction lifted" in user.text()


def test_no_record_no_message_and_another_account_forgets_the_records_answers(desk: Desk) -> None:
    record_action(desk)
    user = ChatUser(desk)
    user.send("/appeal")
    user.send("someone_else")
    assert user.templates() == ["intake/steps/what_happened.j2"]

    user.send("back")
    user.send("olegz_dev")
    assert user.templates()[-1] == "intake/steps/notice_text.j2"
    user.send("back")
    user.send("someone_else")
    assert user.templates() == ["intake/steps/what_happened.j2"]


def file_appeal_to_summary(user: ChatUser) -> None:
    """The intake for an account on record, up to the summary."""
    user.send("/appeal")
    user.send("olegz_dev")
    user.press("No notice received")
    user.send("2017")
    user.press("Top Rated Plus")
    user.press("Skip")
    user.press("VPN or travel")
    user.press("Done")
    user.send("I was travelling in Turkey from 10 to 19 Nov and used a VPN for my bank. I never hid my location.")
    user.press("That's all")
    user.press("Done, no more files")
    user.press("Here in this chat")
    user.press("Yes, I agree")
    assert user.templates()[-1] == "intake/summary.j2", user.text()
