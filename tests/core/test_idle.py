"""Outside an intake: greetings, status, questions for a person, and adding to an open appeal."""

from __future__ import annotations

from bot.core.tickets.actors import Actor
from bot.desk import Desk
from tests.chat import ChatUser, file_appeal, pdf


def test_start_explains_what_the_bot_does_and_offers_an_appeal(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/start")
    assert user.templates() == ["idle/welcome.j2"]
    assert user.labels() == ["Start appeal", "First, ask a question"]
    assert len(user.text().splitlines()) == 2


def test_a_suspension_report_is_met_with_sympathy_and_an_appeal_offer(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("hi my account suspended yesterday, no reason, top rated plus 5 years")
    assert user.templates() == ["idle/offer_appeal.j2"]
    assert user.text().startswith("Sorry you are dealing with this.")
    user.press("Start appeal")
    assert user.templates()[-1] == "intake/steps/account.j2"
    assert "Sorry" not in user.text(), "the stress is acknowledged once, not twice"


def test_status_lists_appeals_with_their_next_update(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/status")
    assert "no appeals" in user.text()
    reference = file_appeal(user)
    user.send("/status")
    assert reference in user.text() and "Next update by Thu 26 Nov, 12:00 UTC" in user.text()


def test_talk_to_a_person_opens_a_question_ticket(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/human")
    assert user.templates() == ["idle/human_prompt.j2"]
    user.send("Can my brother use my laptop for his own account?")
    assert user.templates() == ["idle/question_opened.j2"]
    views = desk.tickets.list(Actor("cli", "alice"))
    assert [(view["kind"], view["status"]) for view in views] == [("question", "new")]


def test_anything_sent_after_an_appeal_is_added_to_it(desk: Desk) -> None:
    user = ChatUser(desk)
    reference = file_appeal(user)
    user.send("I also found the e-mail from the airline.", files=(pdf("ticket.pdf"),))
    assert user.templates() == ["idle/added_to_ticket.j2"]
    view = desk.tickets.show(reference, Actor("cli", "alice"))
    assert [file["name"] for file in view["files"]] == ["ticket.pdf"]
    assert view["events"][-2]["action"] == "user_added"


def test_files_without_an_appeal_are_not_kept_and_the_user_is_told_why(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send(files=(pdf(),))
    assert user.templates() == ["idle/files_without_appeal.j2"]


def test_bare_command_words_work_where_slash_commands_are_taken(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("help")
    assert user.templates() == ["idle/help.j2"]
    user.send("Status?")
    assert user.templates() == ["idle/status.j2"]


def test_the_voice_guides_opening_message_gets_sympathy_and_the_appeal_offer(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("hi my account suspended yesterday, no reason, top rated plus 5 years. what i can do??")
    assert user.templates()[-1] == "idle/offer_appeal.j2"
    assert "Start appeal" in user.labels()


def test_thanks_is_answered_warmly_and_is_not_taken_for_a_question(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("thanks a lot")
    assert user.templates() == ["idle/thanks.j2"]
    user.send("/human")
    assert user.templates() == ["idle/human_prompt.j2"]


def test_asking_for_a_person_during_an_intake_passes_the_next_message_on(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/appeal")
    user.send("/human")
    assert user.templates()[0] == "idle/human_prompt.j2"
    user.send("Can a person call me? My English is not good.")
    assert user.templates() == ["idle/question_opened.j2", "intake/steps/account.j2"]
    assert "Your reference is AD-2026-000001.\nThey will answer" in user.text()
    user.send("olga_dev")
    assert user.templates() == ["intake/steps/what_happened.j2"]
