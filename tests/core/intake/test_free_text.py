"""Free-text steps: a rule question is answered instead of stored, and a long explanation comes in parts."""

from __future__ import annotations

from sqlmodel import select

from bot.desk import Desk
from bot.store.models import Conversation, Ticket
from tests.chat import EXPLANATION, ChatUser, walk_to_explanation


def test_a_rule_question_at_the_notice_step_is_answered_and_the_step_asked_again(desk: Desk) -> None:
    user = ChatUser(desk)
    _walk_to_notice_text(user)
    user.send("Can I appeal again after a decision?")
    assert user.templates() == ["answers/entry.j2", "intake/back_to_step.j2", "intake/steps/notice_text.j2"]
    assert "notice_text" not in _answers(desk)


def test_a_rule_question_at_the_explanation_step_is_not_taken_as_the_explanation(desk: Desk) -> None:
    user = ChatUser(desk)
    walk_to_explanation(user)
    user.send("What is the fee for withdrawing money from my account?")
    assert user.templates() == ["answers/entry.j2", "intake/back_to_step.j2", "intake/steps/explanation.j2"]
    user.send("that's all")
    assert "Please write a little more" in user.text()
    assert "explanation" not in _answers(desk)


def test_an_explanation_that_contains_a_question_is_kept_as_the_explanation(desk: Desk) -> None:
    user = ChatUser(desk)
    walk_to_explanation(user)
    explanation = "I used a VPN while travelling in Turkey from 10 to 19 Nov. Is that really a reason to suspend me?"
    user.send(explanation)
    assert user.templates() == ["intake/part_received.j2"]
    user.press("That's all")
    assert _answers(desk)["explanation"]["value"] == explanation


def test_a_notice_that_asks_something_is_kept_as_the_notice(desk: Desk) -> None:
    user = ChatUser(desk)
    _walk_to_notice_text(user)
    notice = "Your account is on hold. Do you want to appeal? Reply to this e-mail within 14 days."
    user.send(notice)
    assert user.templates() == ["intake/steps/reason_given.j2"]
    assert _answers(desk)["notice_text"]["value"] == notice


def test_a_question_the_knowledge_base_is_not_sure_about_is_kept_as_the_answer(desk: Desk) -> None:
    user = ChatUser(desk)
    _walk_to_notice_text(user)
    user.send("Why did this happen to me, what does it mean?")
    assert user.templates() == ["intake/steps/reason_given.j2"]


def test_the_explanation_step_states_its_limit_and_how_to_send_a_long_text(desk: Desk) -> None:
    user = ChatUser(desk)
    walk_to_explanation(user)
    text = user.text()
    assert "several messages" in text and "up to 12000 characters" in text
    assert "That's all" in text


def test_an_explanation_sent_in_parts_is_joined(desk: Desk) -> None:
    user = ChatUser(desk)
    walk_to_explanation(user)
    user.send("I was travelling in Turkey from 10 to 19 Nov.")
    assert "45 characters" in user.text()
    assert user.labels()[:2] == ["That's all", "Start over"]
    user.send("I used a VPN for my bank, as I always do.")
    assert "86 characters" in user.text()
    user.send("that's all")
    assert user.templates() == ["intake/steps/evidence.j2"]
    value = _answers(desk)["explanation"]["value"]
    assert value == "I was travelling in Turkey from 10 to 19 Nov.\nI used a VPN for my bank, as I always do."


def test_a_message_over_the_one_message_limit_is_kept_as_a_part(desk: Desk) -> None:
    """Telegram splits a pasted text at 4096 characters: the first piece is over our 4000."""
    user = ChatUser(desk)
    walk_to_explanation(user)
    first, rest = "a" * 4096, "b" * 1500
    user.send(first)
    assert user.templates() == ["intake/part_received.j2"]
    user.send(rest)
    user.press("That's all")
    assert _answers(desk)["explanation"]["value"] == first + "\n" + rest


def test_nothing_of_a_long_text_is_taken_as_the_answer_to_the_next_question(desk: Desk) -> None:
    user = ChatUser(desk)
    walk_to_explanation(user)
    user.send("x" * 5000)
    user.send("And this is the end of my story, which I wrote in two parts.")
    assert user.templates() == ["intake/part_received.j2"]
    with desk.db.session() as session:
        conversation = session.exec(select(Conversation)).one()
    assert conversation.step == "explanation"


def test_a_text_longer_than_the_step_holds_is_refused_and_the_parts_so_far_are_kept(desk: Desk) -> None:
    user = ChatUser(desk)
    walk_to_explanation(user)
    user.send(EXPLANATION)
    user.send("y" * 11_990)
    assert user.templates() == ["intake/invalid.j2", "intake/steps/explanation.j2"]
    assert "up to 12000" in user.text()
    assert f"So far I have {len(EXPLANATION)} characters" in user.text()
    user.press("That's all")
    assert _answers(desk)["explanation"]["value"] == EXPLANATION


def test_a_huge_message_is_refused_at_once_and_the_parts_so_far_are_kept(desk: Desk) -> None:
    user = ChatUser(desk)
    walk_to_explanation(user)
    user.send(EXPLANATION)
    user.send("z" * 100_000)
    assert user.templates() == ["errors/too_long.j2", "intake/steps/explanation.j2"]
    assert "send it in shorter parts" in user.text()


def test_start_over_drops_the_parts_and_back_keeps_them(desk: Desk) -> None:
    user = ChatUser(desk)
    walk_to_explanation(user)
    user.send("This part was pasted by mistake, sorry about that.")
    user.press("Start over")
    assert user.templates() == ["intake/steps/explanation.j2"]
    user.send(EXPLANATION)
    user.press("Back")
    user.press("VPN or travel")
    user.press("Done")
    assert f"So far I have {len(EXPLANATION)} characters" in user.text()
    user.send("that's all")
    assert _answers(desk)["explanation"]["value"] == EXPLANATION


def test_an_over_long_answer_at_a_one_message_step_is_not_offered_as_parts(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/appeal")
    user.send("x" * 5000)
    assert user.templates() == ["errors/too_long.j2", "intake/steps/account.j2"]
    assert "shorter parts" not in user.text() and "shorten it" in user.text()


def test_the_joined_explanation_reaches_the_ticket(desk: Desk) -> None:
    user = ChatUser(desk)
    walk_to_explanation(user)
    user.send("First part of my story, about the trip to Turkey.")
    user.send("Second part, about the VPN for my bank.")
    user.press("That's all")
    user.press("Done, no more files")
    user.press("Here in this chat")
    user.press("Yes, I agree")
    assert "First part of my story, about the trip to Turkey.\nSecond part" in user.text()
    user.press("Send appeal")
    with desk.db.session() as session:
        ticket = session.exec(select(Ticket)).one()
    assert ticket.answers["explanation"]["value"].endswith("about the VPN for my bank.")
    assert "_parts" not in ticket.answers


def _answers(desk: Desk) -> dict[str, dict[str, object]]:
    with desk.db.session() as session:
        return dict(session.exec(select(Conversation)).one().answers)


def _walk_to_notice_text(user: ChatUser) -> None:
    user.send("/appeal")
    user.send("olga_dev")
    user.press("Temporary hold")
    user.send("20.11")
