"""The hand-off to a person on Telegram: /human, "First, ask a question", and agents replying from the card."""

from __future__ import annotations

from sqlmodel import select

from bot.store.models import Ticket
from tests.channels.telegram.conftest import AGENT, AGENTS_CHAT, OLEG
from tests.channels.telegram.test_agents import last_prompt
from tests.fakes.telegram_bot_api import Call, FakeBotApi
from tests.fakes.telegram_harness import TelegramHarness

QUESTION = "Can I invoice my client through my own company? Write to oleg.z@example.com please."


def texts(calls: list[Call]) -> str:
    return "\n---\n".join(call.text for call in calls if call.method in ("sendMessage", "editMessageText"))


def question_ticket(bot: TelegramHarness) -> Ticket:
    with bot.desk.db.session() as session:
        return session.exec(select(Ticket).where(Ticket.kind == "question")).one()


async def card_of_question(bot: TelegramHarness, api: FakeBotApi) -> int:
    await bot.says(OLEG, f"/human {QUESTION}")
    await bot.deliver()
    card = bot.desk.cards.get(question_ticket(bot).id or 0, "telegram")
    assert card is not None
    return int(card.message_id)


async def test_human_with_text_opens_a_ticket_and_the_card_shows_the_question_redacted(
    bot: TelegramHarness, api: FakeBotApi
) -> None:
    await bot.says(OLEG, "is a VPN allowed?")
    calls = await bot.says(OLEG, f"/human {QUESTION}")
    assert "I passed your question to a person" in texts(calls)
    assert question_ticket(bot).answers["question"]["value"] == QUESTION, "the text after /human, not the older one"
    card_id = await card_of_question(bot, api)
    card = api.message(AGENTS_CHAT, card_id)["text"]
    assert "Question: Can I invoice my client through my own company?" in card
    assert "oleg.z@example.com" not in card and "[hidden - appealdesk tickets show]" in card


async def test_a_bare_human_asks_for_the_question_first(bot: TelegramHarness, api: FakeBotApi) -> None:
    await bot.says(OLEG, "is a VPN allowed?")
    calls = await bot.taps(OLEG, "Talk to a person")
    assert "What would you like to ask a person?" in texts(calls)
    assert "is a VPN allowed?" in texts(calls) and ("Send that question" in str(calls[-1].params))
    with bot.desk.db.session() as session:
        assert session.exec(select(Ticket)).first() is None, "nothing filed before the user says what"
    calls = await bot.says(OLEG, "My payout is stuck since Monday, who can look at it?")
    assert "I passed your question to a person" in texts(calls)
    assert question_ticket(bot).answers["question"]["value"] == "My payout is stuck since Monday, who can look at it?"


async def test_first_ask_a_question_answers_the_next_message(bot: TelegramHarness) -> None:
    await bot.says(OLEG, "my account was suspended, what can I do?")
    await bot.taps(OLEG, "First, ask a question")
    calls = await bot.says(OLEG, "my account got suspended, can I use a VPN while travelling?")
    assert "Start appeal" not in str([call.params.get("reply_markup") for call in calls]), "no loop to the menu"
    assert "Talk to a person" in str([call.params.get("reply_markup") for call in calls])


async def test_an_agent_replies_from_the_card_and_the_answers_appear_under_it(
    bot: TelegramHarness, api: FakeBotApi
) -> None:
    card_id = await card_of_question(bot, api)
    await bot.taps(AGENT, "Reply", chat_id=AGENTS_CHAT, message_id=card_id)
    markup = api.calls("sendMessage", chat_id=AGENTS_CHAT)[-1].params["reply_markup"]
    assert markup["force_reply"] and markup["selective"]
    calls = await bot.says(AGENT, "Yes, once the company is verified.", AGENTS_CHAT, reply_to=last_prompt(api))
    assert "on its way to the user" in texts(calls)
    assert question_ticket(bot).status == "new", "a reply changes nothing about the ticket's state"
    await bot.deliver()
    assert "<blockquote>Yes, once the company is verified.</blockquote>" in texts(api.calls(chat_id=OLEG.id)[-1:])

    calls = await bot.says(OLEG, "How do I get it verified?")
    assert f"<b>{question_ticket(bot).reference}</b>" in texts(calls), "the answer joins the same ticket"
    await bot.deliver()
    under_card = [
        call.text
        for call in api.calls("sendMessage", chat_id=AGENTS_CHAT)
        if call.params.get("reply_parameters", {}).get("message_id") == card_id
        or call.params.get("reply_to_message_id") == card_id
    ]
    assert any("wrote to the user" in text and "Yes, once the company is verified." in text for text in under_card)
    assert any("The user wrote" in text and "How do I get it verified?" in text for text in under_card)


async def test_a_note_on_the_card_never_reaches_the_user(bot: TelegramHarness, api: FakeBotApi) -> None:
    card_id = await card_of_question(bot, api)
    await bot.taps(AGENT, "Note", chat_id=AGENTS_CHAT, message_id=card_id)
    await bot.says(AGENT, "Same company as the flagged 2024 case.", AGENTS_CHAT, reply_to=last_prompt(api))
    await bot.taps(AGENT, "Reply", chat_id=AGENTS_CHAT, message_id=card_id)
    await bot.says(AGENT, "We are checking the company details.", AGENTS_CHAT, reply_to=last_prompt(api))
    await bot.deliver()
    to_user = texts(api.calls(chat_id=OLEG.id))
    assert "We are checking the company details." in to_user
    assert "flagged 2024" not in to_user


async def test_human_in_the_middle_of_an_appeal_files_the_question_and_the_appeal_goes_on(
    bot: TelegramHarness,
) -> None:
    await bot.says(OLEG, "/appeal")
    calls = await bot.says(OLEG, "/human Will my open contracts still be paid?")
    assert "I passed your question to a person" in texts(calls)
    assert "Which account is it?" in texts(calls), "the appeal asks its question again"
    assert question_ticket(bot).answers["question"]["value"] == "Will my open contracts still be paid?"
