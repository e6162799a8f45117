"""The hand-off to a person: /human with or without the question, and "First, ask a question"."""

from __future__ import annotations

from bot.core.tickets.actors import Actor
from bot.desk import Desk
from tests.chat import ChatUser, file_appeal

ALICE = Actor("cli", "alice")


def questions(desk: Desk) -> list[str]:
    """What each question ticket holds, as an agent sees it."""
    return [
        row["value"]
        for view in desk.tickets.list(ALICE, personal=True)
        for row in view["evidence"]
        if row["key"] == "question"
    ]


def test_human_with_text_opens_a_ticket_holding_that_text(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("is a VPN allowed?")
    user.send("/human Can someone check why my payout is late?")
    assert user.templates() == ["idle/question_opened.j2"]
    assert questions(desk) == ["Can someone check why my payout is late?"], "not the earlier rule question"


def test_a_bare_human_asks_first_and_files_the_next_message(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/human")
    assert user.templates() == ["idle/human_prompt.j2"]
    assert user.last[0].expects == "text"
    assert "passed" not in user.text() and questions(desk) == []
    user.send("Can my brother use my laptop for his own account?")
    assert user.templates() == ["idle/question_opened.j2"]
    assert questions(desk) == ["Can my brother use my laptop for his own account?"]


def test_a_bare_human_after_a_rule_question_offers_it_but_never_files_it_silently(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("is a VPN allowed?")
    user.press("Talk to a person")
    assert user.templates() == ["idle/human_prompt.j2"]
    assert "is a VPN allowed?" in user.text() and user.labels() == ["Send that question"]
    assert questions(desk) == []
    user.send("Actually: may I work from Portugal for two months?")
    assert questions(desk) == ["Actually: may I work from Portugal for two months?"]


def test_the_button_sends_the_earlier_question_when_the_user_wants_it(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("is a VPN allowed?")
    user.send("/human")
    user.press("Send that question")
    assert user.templates() == ["idle/question_opened.j2"]
    assert questions(desk) == ["is a VPN allowed?"]
    user.send("thanks")
    assert user.templates() == ["idle/thanks.j2"], "the prompt was answered by the button"


def test_human_during_an_intake_files_the_question_and_the_intake_resumes(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/appeal")
    user.send("/human Will my open contracts be paid?")
    assert user.templates() == ["idle/question_opened.j2", "intake/steps/account.j2"]
    user.send("/human")
    assert user.templates() == ["idle/human_prompt.j2"], "the question comes first, the step after it"
    user.send("Can a person call me? My English is not good.")
    assert user.templates() == ["idle/question_opened.j2", "intake/steps/account.j2"]
    assert questions(desk) == ["Will my open contracts be paid?", "Can a person call me? My English is not good."]
    user.send("olga_dev")
    assert user.templates() == ["intake/steps/what_happened.j2"]


def test_the_question_for_a_person_wins_over_a_ticket_waiting_for_the_user(desk: Desk) -> None:
    user = ChatUser(desk)
    reference = file_appeal(user)
    desk.tickets.request_info(reference, ALICE, "Please send your travel booking.")
    user.send("/human")
    user.send("Who can tell me when my funds are released?")
    assert user.templates() == ["idle/question_opened.j2"]
    assert desk.tickets.show(reference, ALICE)["status"] == "awaiting_user"


def test_cancel_after_a_bare_human_files_nothing(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/human")
    user.send("/cancel")
    assert user.templates() == ["idle/cancelled.j2"]
    user.send("is a VPN allowed?")
    assert user.templates()[0].startswith("answers/")
    assert questions(desk) == []


def test_first_ask_a_question_answers_the_next_message_instead_of_offering_the_menu_again(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("my account was suspended yesterday, what can I do?")
    assert user.templates()[-1] == "idle/offer_appeal.j2"
    user.press("First, ask a question")
    assert user.templates() == ["idle/ask_prompt.j2"]
    user.send("my account got suspended, can I use a VPN while travelling?")
    assert "idle/offer_appeal.j2" not in user.templates(), "no loop back to the start menu"
    assert user.templates()[0].startswith("answers/") and "Talk to a person" in user.labels()


def test_first_ask_a_question_answers_even_a_message_that_reads_like_a_greeting(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/start")
    user.press("First, ask a question")
    user.send("hello")
    assert user.templates()[0].startswith("answers/")
    user.send("hello")
    assert user.templates() == ["idle/welcome.j2"], "only the one message after the prompt"
