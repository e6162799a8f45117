"""The hand-off to a person on Slack: `/appeal human`, the bare word, "First, ask a question", and replies."""

from __future__ import annotations

from sqlmodel import select

from bot.store.models import Ticket
from tests.channels.slack.conftest import AGENT, AGENTS_CHANNEL, SlackHarness, typed

QUESTION = "Can I invoice my client through my own company? Call me on +44 7911 123456."


def question_ticket(slack: SlackHarness) -> Ticket:
    with slack.desk.db.session() as session:
        return session.exec(select(Ticket).where(Ticket.kind == "question")).one()


def thread_of_card(slack: SlackHarness) -> list[str]:
    card = slack.desk.cards.get(question_ticket(slack).id or 0, "slack")
    assert card is not None
    return [call["text"] for call in slack.fake.to("chat.postMessage", thread_ts=card.message_id)]


async def test_appeal_human_with_text_opens_a_ticket_whose_card_shows_the_question(slack: SlackHarness) -> None:
    await slack.dm("U1", "is a VPN allowed?")
    await slack.command("U1", f"human {QUESTION}")
    assert "I passed your question to a person" in slack.last_text("DU1")
    assert question_ticket(slack).answers["question"]["value"] == QUESTION
    await slack.deliver()
    card = next(call for call in slack.fake.to("chat.postMessage", channel=AGENTS_CHANNEL) if "thread_ts" not in call)
    assert "Question*: Can I invoice my client through my own company?" in card["text"]
    assert "7911 123456" not in slack.fake.everything_sent()


async def test_the_bare_word_asks_for_the_question_first(slack: SlackHarness) -> None:
    await slack.dm("U1", "is a VPN allowed?")
    await slack.dm("U1", "human")
    assert "What would you like to ask a person?" in slack.last_text("DU1")
    assert "is a VPN allowed?" in slack.last_text("DU1"), "the earlier question is offered, not filed"
    with slack.desk.db.session() as session:
        assert session.exec(select(Ticket)).first() is None
    await slack.dm("U1", "Who can unlock my withdrawals?")
    assert "I passed your question to a person" in slack.last_text("DU1")
    assert question_ticket(slack).answers["question"]["value"] == "Who can unlock my withdrawals?"


async def test_first_ask_a_question_answers_the_next_message(slack: SlackHarness) -> None:
    await slack.dm("U1", "my account was suspended, what can I do?")
    await slack.press("U1", "First, ask a question")
    await slack.dm("U1", "my account got suspended, can I use a VPN while travelling?")
    buttons = [
        element["text"]["text"]
        for block in slack.last("DU1")["blocks"]
        for element in block.get("elements") or []
        if element.get("type") == "button"
    ]
    assert "Start appeal" not in buttons and "Talk to a person" in buttons


async def test_an_agent_replies_from_a_modal_and_the_conversation_is_in_the_cards_thread(slack: SlackHarness) -> None:
    await slack.command("U1", f"human {QUESTION}")
    reference = question_ticket(slack).reference or ""
    await slack.deliver()
    await slack.action(AGENT, *slack.card_button("reply"), AGENTS_CHANNEL)
    assert slack.fake.to("views.open")[-1]["view"]["callback_id"] == "agent_reply"
    empty = await slack.submit(AGENT, "agent_reply", {"message": typed(" ")}, reference)
    assert "message" in empty.json()["errors"]
    response = await slack.submit(AGENT, "agent_reply", {"message": typed("Yes, once it is verified.")}, reference)
    assert response.status_code == 200 and not response.content
    assert question_ticket(slack).status == "new"
    await slack.submit(AGENT, "agent_note", {"message": typed("Company flagged in 2024.")}, reference)
    await slack.deliver()
    assert "Yes, once it is verified." in slack.last_text("DU1")

    await slack.dm("U1", "How do I verify it?")
    assert reference in slack.last_text("DU1")
    await slack.deliver()
    thread = thread_of_card(slack)
    assert any("wrote to the user" in text and "Yes, once it is verified." in text for text in thread)
    assert any("From the user: How do I verify it?" in text for text in thread)
    dm = " ".join(str(message) for message in slack.fake.messages("DU1"))
    assert "flagged in 2024" not in dm, "internal notes never reach the user"


async def test_appeal_human_in_the_middle_of_an_appeal_files_the_question_and_the_appeal_goes_on(
    slack: SlackHarness,
) -> None:
    await slack.command("U1")
    await slack.command("U1", "human Will my open contracts still be paid?")
    texts = [
        block["text"]["text"]
        for message in slack.fake.messages("DU1")[-2:]
        for block in message["blocks"]
        if block["type"] == "section"
    ]
    assert "I passed your question to a person" in texts[0] and "Which account is it?" in texts[-1]
    assert question_ticket(slack).answers["question"]["value"] == "Will my open contracts still be paid?"
