"""Rule questions in chat: a confident answer, a short list when unsure, or an honest 'I don't know'."""

from __future__ import annotations

from sqlmodel import col, select

from bot.core.tickets.actors import Actor
from bot.desk import Desk
from bot.store.models import RuleAnswer
from tests.chat import ChatUser, file_appeal


def test_a_clear_rule_question_gets_the_entry_with_its_review_date_and_a_person_one_tap_away(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("is it allowed to use a vpn when i work?")
    assert user.templates() == ["answers/entry.j2"]
    text = user.text()
    assert text.startswith("Using a VPN, proxy or remote desktop")
    assert "WorkMarket" in text and "{platform}" not in text
    assert "Last reviewed: Fri 20 Nov 2026" in text
    assert user.labels() == ["Yes, this helped", "No", "Talk to a person"]


def test_helpful_answers_are_recorded(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("can I use calendly to book calls with my client after the contract started?")
    user.press("No")
    assert user.templates() == ["answers/feedback.j2"]
    assert user.labels() == ["Talk to a person"]
    with desk.db.session() as session:
        answer = session.exec(select(RuleAnswer)).one()
    assert (answer.outcome, answer.helpful) == ("confident", False)


def test_someone_elses_feedback_button_is_refused(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("is a vpn allowed?")
    payload = user.payload("Yes, this helped")
    other = ChatUser(desk, name="mallory")
    other.press_payload(payload)
    assert other.templates() == ["errors/stale_button.j2"]


def test_an_unrelated_question_is_not_answered_confidently(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("what is the weather in Lisbon tomorrow?")
    assert user.templates()[0] in ("answers/none.j2", "answers/choices.j2")
    assert "Talk to a person" in user.labels()


def test_an_unsure_match_offers_the_closest_entries_as_choices(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("fees")
    assert user.templates() == ["answers/choices.j2"]
    assert len(user.labels()) == 4 and user.labels()[-1] == "Talk to a person"
    user.press(user.labels()[0])
    assert user.templates() == ["answers/entry.j2"]
    with desk.db.session() as session:
        outcomes = [answer.outcome for answer in session.exec(select(RuleAnswer).order_by(RuleAnswer.id))]
    assert outcomes == ["ambiguous", "chosen"]


def test_talk_to_a_person_after_an_answer_offers_to_pass_that_question_on(desk: Desk) -> None:
    user = ChatUser(desk)
    question = "my client wants to pay me by paypal directly, is that ok?"
    user.send(question)
    user.press("Talk to a person")
    assert user.templates() == ["idle/human_prompt.j2"], "nothing is filed before the user says so"
    assert question in user.text() and user.labels() == ["Send that question"]
    assert desk.tickets.list(Actor("cli", "alice")) == []
    user.press("Send that question")
    assert user.templates() == ["idle/question_opened.j2"]
    view = desk.tickets.list(Actor("cli", "alice"), personal=True)[0]
    assert view["kind"] == "question"
    assert [(row["label"], row["value"]) for row in view["evidence"]] == [("field.question", question)]
    assert view["suggested_entries"]


def test_tickets_carry_suggested_entries_for_the_agent(desk: Desk) -> None:
    reference = file_appeal(ChatUser(desk))
    view = desk.tickets.show(reference, Actor("cli", "alice"))
    assert "vpn-and-proxies" in view["suggested_entries"] or "travel-and-location" in view["suggested_entries"]


def test_a_question_in_russian_gets_the_english_answer_said_to_be_english_in_russian(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("Можно ли пользоваться VPN во время работы?")
    assert user.templates() == ["answers/entry.j2"]
    text = user.text()
    assert text.startswith("Этот ответ пока только на английском.")
    assert "Using a VPN, proxy or remote desktop" in text
    assert user.labels() == ["Yes, this helped", "No", "Talk to a person"]


def test_an_entry_chosen_after_a_spanish_question_says_in_spanish_that_it_is_english(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("¿Qué comisiones hay si me pagan en otra moneda?")
    user.press_payload("kb:conversion-fee-opt-out")  # as from the list of candidates
    assert user.templates() == ["answers/entry.j2"]
    assert user.text().startswith("Esta respuesta está solo en inglés por ahora.")
    assert "Talk to a person" in user.labels()


def test_an_english_question_gets_no_language_line(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("is a vpn allowed?")
    assert "English" not in user.text().split("\n", 1)[0]
    assert user.text().startswith("Using a VPN, proxy or remote desktop")


def test_asking_for_a_person_after_an_answer_is_recorded_on_that_answer_once(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("is a vpn allowed?")
    user.send("can I use calendly to book calls with my client after the contract started?")
    user.press("Talk to a person")
    user.press("Send that question")
    user.send("/human I still need a person")  # a second request, with no answer in between
    with desk.db.session() as session:
        asked = [answer.person_asked_at for answer in session.exec(select(RuleAnswer).order_by(col(RuleAnswer.id)))]
    assert asked == [None, desk.clock.now()]
