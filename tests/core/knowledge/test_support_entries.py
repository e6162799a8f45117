"""What the knowledge base says about reaching a person is what the product does."""

from __future__ import annotations

import re

from bot.core.tickets.actors import Actor
from bot.desk import Desk
from tests.chat import ChatUser

ALICE = Actor("cli", "alice", "alice")
# Roles and routes the product does not have; an answer must not send users to them.
NO_SUCH_THING = re.compile(r"team lead|manager|write here or tap|takes over this chat|contact support", re.IGNORECASE)


def test_reaching_a_person_works_as_the_contact_entry_describes(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("I want to talk to a real person not a bot")
    assert user.templates() == ["answers/entry.j2"]
    assert user.last[0].context["title"] == "Talking to a person and support channels"
    assert 'Under every answer there is a "Talk to a person" button. Tap it and write your question' in user.text()

    user.press("Talk to a person")
    assert user.templates() == ["idle/human_prompt.j2"], "the person needs the question first"
    user.send("My payout to Wise is stuck since Monday.")
    assert user.templates() == ["idle/question_opened.j2"]  # "You get its reference and the date and time"
    assert "Your reference is" in user.text() and "They will answer here by" in user.text()
    reference = str(user.last[0].context["reference"])

    desk.tickets.reply(reference, ALICE, "Which amount is it?")  # "They answer here in this chat."
    user.send("It is 200 EUR, is that normal?")  # "just reply here: ... on the same ticket"
    conversation = desk.tickets.show(reference, ALICE)["conversation"]
    assert [message["text"] for message in conversation] == ["Which amount is it?", "It is 200 EUR, is that normal?"]


def test_no_answer_sends_users_to_a_role_or_route_that_does_not_exist(desk: Desk) -> None:
    answers = {entry.id: entry.public_answer("WorkMarket") for entry in desk.knowledge.entries()}
    assert len(answers) >= 34
    wrong = {entry_id: NO_SUCH_THING.findall(text) for entry_id, text in answers.items() if NO_SUCH_THING.search(text)}
    assert wrong == {}
