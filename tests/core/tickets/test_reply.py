"""Agents talk to the user without moving the ticket: public replies, the user's answers, and notes kept inside."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.core.tickets.actors import Actor
from bot.core.tickets.lifecycle import Refused
from bot.desk import Desk
from bot.store.models import OutboxMessage
from tests.chat import ChatUser, file_appeal
from tests.core.tickets.test_lifecycle import decide

ALICE = Actor("cli", "alice", "alice")
NOTE = "Same device as the 2024 fraud case, check before replying."


def question_ticket(user: ChatUser) -> str:
    user.send("/human Can I work for a client in Iran if I am paid in euros?")
    return str(user.last[0].context["reference"])


def said_to_user(desk: Desk) -> list[str]:
    """Every message queued for the user, rendered as they will read it."""
    with desk.db.session() as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "user").order_by(OutboxMessage.id))
        return [desk.renderer.render(row.template, row.context) for row in rows]


def test_a_reply_reaches_the_user_and_keeps_the_status(desk: Desk) -> None:
    reference = question_ticket(ChatUser(desk))
    view = desk.tickets.reply(reference, ALICE, "Which country is the client registered in?")
    assert view["status"] == "new" and view["assignee"] is None
    event = view["events"][-1]
    assert (event["action"], event["actor"], event["from"], event["to"]) == ("reply", "cli:alice", "new", "new")
    assert event["public_message"] == "Which country is the client registered in?"
    assert "Which country is the client registered in?" in said_to_user(desk)[-1]
    assert "just reply here" in said_to_user(desk)[-1]


def test_the_users_answers_after_a_reply_join_the_ticket_as_a_conversation(desk: Desk) -> None:
    user = ChatUser(desk)
    reference = question_ticket(user)
    desk.tickets.claim(reference, ALICE)
    desk.tickets.reply(reference, ALICE, "Which country is the client registered in?")
    user.send("Germany. Is that a problem?")
    assert user.templates() == ["idle/added_to_ticket.j2"], "not answered by the bot"
    assert reference in user.text()
    user.send("They pay by bank transfer.")
    view = desk.tickets.show(reference, ALICE)
    assert view["status"] == "in_review"
    assert [(message["from"], message["text"]) for message in view["conversation"]] == [
        ("agent", "Which country is the client registered in?"),
        ("user", "Germany. Is that a problem?"),
        ("user", "They pay by bank transfer."),
    ]


def test_an_appeal_reply_keeps_a_waiting_ticket_waiting(desk: Desk) -> None:
    reference = file_appeal(ChatUser(desk))
    desk.tickets.request_info(reference, ALICE, "Please send your travel booking.")
    view = desk.tickets.reply(reference, ALICE, "No rush: the booking e-mail is enough.")
    assert view["status"] == "awaiting_user" and view["pending_question"] == "Please send your travel booking."


def test_a_reply_needs_text_and_an_open_ticket(desk: Desk) -> None:
    reference = file_appeal(ChatUser(desk))
    with pytest.raises(Refused) as empty:
        desk.tickets.reply(reference, ALICE, "   ")
    assert empty.value.code == "reply_missing"
    decide(desk, reference)
    with pytest.raises(Refused) as closed:
        desk.tickets.reply(reference, ALICE, "One more thing.")
    assert closed.value.code == "transition"


def test_the_user_never_receives_an_internal_note(desk: Desk) -> None:
    user = ChatUser(desk)
    reference = question_ticket(user)
    desk.tickets.reply(reference, ALICE, "Which country is the client registered in?")
    desk.tickets.note(reference, ALICE, NOTE)
    user.send("Germany.")
    view = desk.tickets.show(reference, ALICE)
    assert NOTE not in [message["text"] for message in view["conversation"]]
    assert not any(NOTE in text for text in said_to_user(desk))
    assert NOTE not in user.text()
