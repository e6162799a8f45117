"""The agents' group: cards, Claim / Request info / Note / Resolve, and what the user sees of it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.core.clock import ManualClock
from bot.core.events import Identity
from bot.core.tickets.actors import Actor
from bot.desk import Desk
from bot.store.models import Evidence, Ticket, TicketEvent
from tests.channels.telegram.conftest import AGENT, AGENTS_CHAT, OLEG, STRANGER
from tests.chat import open_question
from tests.fakes.telegram_bot_api import Call, FakeBotApi, FakeUser
from tests.fakes.telegram_harness import TelegramHarness, file_appeal

SUPERVISOR = FakeUser(950, "Sam")


def texts(calls: list[Call]) -> str:
    return "\n---\n".join(call.text for call in calls if call.method in ("sendMessage", "editMessageText"))


def ticket(bot: TelegramHarness) -> Ticket:
    with bot.desk.db.session() as session:
        return session.exec(select(Ticket)).one()


async def appeal_with_card(bot: TelegramHarness) -> int:
    """Files an appeal and delivers its card; returns the card's message id."""
    await file_appeal(bot, OLEG, "olegz_dev")
    await bot.deliver()
    card = bot.desk.cards.get(ticket(bot).id or 0, "telegram")
    assert card is not None
    return int(card.message_id)


def last_prompt(api: FakeBotApi) -> int:
    """The bot's latest ForceReply question in the agents' group."""
    call = next(
        c
        for c in reversed(api.calls("sendMessage", chat_id=AGENTS_CHAT))
        if "force_reply" in (c.params.get("reply_markup") or {})
    )
    return int(call.response["message_id"])


async def test_claim_request_info_user_reply_and_resolution(bot: TelegramHarness, api: FakeBotApi) -> None:
    card_id = await appeal_with_card(bot)
    reference = ticket(bot).reference or ""

    calls = await bot.taps(AGENT, "Claim", chat_id=AGENTS_CHAT, message_id=card_id)
    assert calls[-1].method == "answerCallbackQuery" and "is yours now" in calls[-1].params["text"]
    assert ticket(bot).status == "in_review" and ticket(bot).assignee == "telegram:Alice"
    await bot.deliver()
    assert "a reviewer has started working" in texts(api.calls(chat_id=OLEG.id)[-1:])
    card = api.message(AGENTS_CHAT, card_id)
    assert "In review - telegram:Alice" in card["text"]  # edited in place

    await bot.taps(AGENT, "Request info", chat_id=AGENTS_CHAT, message_id=card_id)
    prompt = last_prompt(api)
    markup = api.calls("sendMessage", chat_id=AGENTS_CHAT)[-1].params["reply_markup"]
    assert markup["force_reply"] and markup["selective"]
    calls = await bot.says(AGENT, "Please send the booking for your trip, 12 to 19 Nov.", AGENTS_CHAT, reply_to=prompt)
    assert "on its way to the user" in texts(calls)
    assert ticket(bot).status == "awaiting_user"
    await bot.deliver()
    question = api.calls("sendMessage", chat_id=OLEG.id)[-1]
    assert "<blockquote>Please send the booking for your trip, 12 to 19 Nov.</blockquote>" in question.text

    calls = await bot.sends_document(OLEG, b"%PDF-1.4 booking", "hotel.pdf", "application/pdf")
    assert f"I added your answer to <b>{reference}</b>" in texts(calls)
    assert ticket(bot).status == "in_review"
    with bot.desk.db.session() as session:
        reply_file = session.exec(select(Evidence).where(Evidence.name == "hotel.pdf")).one()
    assert reply_file.ticket_id == ticket(bot).id and reply_file.source == "user_reply"

    await bot.taps(AGENT, "Resolve", chat_id=AGENTS_CHAT, message_id=card_id)
    await bot.taps(AGENT, "Reinstate", chat_id=AGENTS_CHAT)
    await bot.taps(AGENT, "Location or VPN", chat_id=AGENTS_CHAT)  # the category by its label
    calls = await bot.says(AGENT, "too short", AGENTS_CHAT, reply_to=last_prompt(api))
    assert "at least 20 characters" in texts(calls)  # the prompt stays open
    explanation = "The logins came from a VPN server you used while travelling."
    await bot.says(AGENT, explanation, AGENTS_CHAT, reply_to=last_prompt(api))
    calls = await bot.says(AGENT, "Login history 12-19 Nov, hotel booking.", AGENTS_CHAT, reply_to=last_prompt(api))
    assert "is resolved" in texts(calls)
    resolved = ticket(bot)
    assert resolved.status == "resolved" and resolved.outcome == "reinstated"
    assert resolved.reason_category == "location-or-vpn" and resolved.public_explanation == explanation

    await bot.deliver()
    decision = api.calls("sendMessage", chat_id=OLEG.id)[-1]
    assert "has been decided: <b>your account is reinstated</b>" in decision.text
    card = api.message(AGENTS_CHAT, card_id)
    assert "Outcome: reinstated (Location or VPN)" in card["text"]
    assert [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row] == [
        "Note",
        "Reopen",
        "View details",
    ]


async def test_upheld_asks_whether_they_may_appeal_again_even_across_a_restart(
    bot: TelegramHarness, api: FakeBotApi, telegram_desk: Callable[..., Desk]
) -> None:
    await uphold_up_to_facts(bot, api)
    await bot.stop()

    restarted = TelegramHarness(api, telegram_desk())
    await restarted.start()
    try:
        await restarted.says(
            AGENT, "Session records of 3-9 Nov from two devices.", AGENTS_CHAT, reply_to=last_prompt(api)
        )
        await restarted.taps(AGENT, "No, the decision is final", chat_id=AGENTS_CHAT)
        resolved = ticket(restarted)
        assert resolved.outcome == "upheld" and resolved.may_appeal_again is False
        await restarted.deliver()
        assert "This decision is final" in api.calls("sendMessage", chat_id=OLEG.id)[-1].text
    finally:
        await restarted.stop()


async def test_a_note_stays_internal(bot: TelegramHarness, api: FakeBotApi) -> None:
    card_id = await appeal_with_card(bot)
    await bot.taps(AGENT, "Note", chat_id=AGENTS_CHAT, message_id=card_id)
    calls = await bot.says(AGENT, "Checked the login log, matches the trip.", AGENTS_CHAT, reply_to=last_prompt(api))

    assert "Note saved" in texts(calls)
    with bot.desk.db.session() as session:
        note = session.exec(select(TicketEvent).where(TicketEvent.action == "note")).one()
    assert note.internal_note == "Checked the login log, matches the trip." and note.actor == "telegram:Alice"
    before = len(api.calls(chat_id=OLEG.id))
    await bot.deliver()
    assert len(api.calls(chat_id=OLEG.id)) == before


async def test_only_agents_may_act(bot: TelegramHarness, api: FakeBotApi) -> None:
    card_id = await appeal_with_card(bot)

    calls = await bot.taps(STRANGER, "Claim", chat_id=AGENTS_CHAT, message_id=card_id)

    answer = calls[-1]
    assert answer.method == "answerCallbackQuery" and answer.params["show_alert"] is True
    assert "only support agents can do this" in answer.params["text"]
    assert ticket(bot).status == "new" and ticket(bot).assignee is None
    calls = await bot.taps(STRANGER, "Request info", chat_id=AGENTS_CHAT, message_id=card_id)
    assert [call.method for call in calls] == ["answerCallbackQuery"]


async def test_refusals_from_the_ticket_service_are_shown(bot: TelegramHarness, api: FakeBotApi) -> None:
    card_id = await appeal_with_card(bot)
    await bot.taps(AGENT, "Claim", chat_id=AGENTS_CHAT, message_id=card_id)
    await bot.taps(AGENT, "Request info", chat_id=AGENTS_CHAT, message_id=card_id)
    await bot.says(AGENT, "Please send the booking.", AGENTS_CHAT, reply_to=last_prompt(api))

    calls = await bot.presses(AGENT, api.message(AGENTS_CHAT, card_id), f"tk:{ticket(bot).id}:info")
    await bot.says(AGENT, "And the ID check, please.", AGENTS_CHAT, reply_to=last_prompt(api))

    assert "You cannot request info a ticket that is awaiting user" in texts(api.calls(chat_id=AGENTS_CHAT)[-1:])
    assert calls[-1].method == "answerCallbackQuery"


async def test_the_group_never_sees_personal_data(bot: TelegramHarness, api: FakeBotApi) -> None:
    explanation = "I was travelling in Portugal and used a VPN for client work. Call me on +351 912 345 678."
    await file_appeal(bot, OLEG, "oleg.z@example.com", explanation)
    await bot.deliver()
    card_id = int(api.calls("sendMessage", chat_id=AGENTS_CHAT)[-1].response["message_id"])
    await bot.taps(AGENT, "Claim", chat_id=AGENTS_CHAT, message_id=card_id)
    await bot.taps(AGENT, "Request info", chat_id=AGENTS_CHAT, message_id=card_id)
    question = "Do you log in as oleg.z@example.com, and is +351 912 345 678 your phone?"
    await bot.says(AGENT, question, AGENTS_CHAT, reply_to=last_prompt(api))
    await bot.deliver()

    group = texts(api.calls(chat_id=AGENTS_CHAT))
    assert "oleg.z@example.com" not in group and "912 345 678" not in group
    card = api.message(AGENTS_CHAT, card_id)["text"]
    assert "Account: [hidden - appealdesk tickets show]" in card
    assert "Call me on [hidden - appealdesk tickets show]." in card
    assert "Asked the user: Do you log in as [hidden - appealdesk tickets show]" in card
    assert ticket(bot).answers["account"]["value"] == "oleg.z@example.com"  # kept for tickets show
    assert question in texts(api.calls(chat_id=OLEG.id))  # the user reads their own data


async def uphold_up_to_facts(bot: TelegramHarness, api: FakeBotApi) -> None:
    """Resolve -> uphold -> reason -> public explanation; the bot then asks for the facts."""
    card_id = await appeal_with_card(bot)
    await bot.taps(AGENT, "Resolve", chat_id=AGENTS_CHAT, message_id=card_id)
    await bot.taps(AGENT, "Uphold the suspension", chat_id=AGENTS_CHAT)
    await bot.taps(AGENT, "Account sharing", chat_id=AGENTS_CHAT)
    await bot.says(
        AGENT, "Another person logged in to your account and worked on it.", AGENTS_CHAT, reply_to=last_prompt(api)
    )


async def uphold_up_to_appeal_again(bot: TelegramHarness, api: FakeBotApi) -> None:
    await uphold_up_to_facts(bot, api)
    await bot.says(AGENT, "Session records of 3-9 Nov from two devices.", AGENTS_CHAT, reply_to=last_prompt(api))


async def test_may_appeal_again_from_a_date_the_agent_types_even_across_a_restart(
    bot: TelegramHarness, api: FakeBotApi, telegram_desk: Callable[..., Desk]
) -> None:
    await uphold_up_to_appeal_again(bot, api)
    await bot.taps(AGENT, "Yes, they may appeal again", chat_id=AGENTS_CHAT)
    prompt = last_prompt(api)
    assert "from when may the user" in api.message(AGENTS_CHAT, prompt)["text"]
    calls = await bot.says(AGENT, "20.11.2026", AGENTS_CHAT, reply_to=prompt)  # the clock says 25 Nov 2026
    assert "Fri 20 Nov 2026 has already passed" in texts(calls)
    calls = await bot.says(AGENT, "after the holidays", AGENTS_CHAT, reply_to=prompt)
    assert "is not a date I can read" in texts(calls)
    await bot.stop()

    restarted = TelegramHarness(api, telegram_desk())
    await restarted.start()
    try:
        calls = await restarted.says(AGENT, "1 March", AGENTS_CHAT, reply_to=prompt)
        assert "The user may appeal again from Mon 01 Mar 2027" in texts(calls)
        resolved = ticket(restarted)
        assert resolved.may_appeal_again is True and resolved.appeal_again_after is not None
        assert resolved.appeal_again_after.replace(tzinfo=UTC) == datetime(2027, 3, 1, tzinfo=UTC)
        with pytest.raises(LookupError):  # the question above the prompt lost its buttons
            restarted.button(AGENTS_CHAT, "No waiting period")
        await restarted.deliver()
        decision = api.calls("sendMessage", chat_id=OLEG.id)[-1].text
        assert "You may appeal again from <b>Mon 01 Mar 2027</b>" in decision
    finally:
        await restarted.stop()


async def test_may_appeal_again_with_no_waiting_period(bot: TelegramHarness, api: FakeBotApi) -> None:
    await uphold_up_to_appeal_again(bot, api)
    await bot.taps(AGENT, "Yes, they may appeal again", chat_id=AGENTS_CHAT)
    prompt = last_prompt(api)
    calls = await bot.taps(AGENT, "No waiting period", chat_id=AGENTS_CHAT)
    assert "The decision is on its way to the user" in texts(calls)
    resolved = ticket(bot)
    assert resolved.may_appeal_again is True and resolved.appeal_again_after is None

    calls = await bot.says(AGENT, "1 March", AGENTS_CHAT, reply_to=prompt)  # the date prompt was closed too
    assert texts(calls) == ""
    await bot.deliver()
    assert "You may appeal again, with new information" in api.calls("sendMessage", chat_id=OLEG.id)[-1].text


async def test_a_question_is_resolved_by_answering_it(bot: TelegramHarness, api: FakeBotApi) -> None:
    reference = open_question(
        bot.desk, "Can I invoice a client I met here directly?", Identity("telegram", "4242", "4242")
    )
    await bot.deliver()
    card = bot.desk.cards.get(ticket(bot).id or 0, "telegram")
    assert card is not None

    await bot.taps(AGENT, "Resolve", chat_id=AGENTS_CHAT, message_id=int(card.message_id))
    prompt = api.calls("sendMessage", chat_id=AGENTS_CHAT)[-1]
    assert f"your answer to the question of <b>{reference}</b>" in prompt.text
    assert "Reinstate" not in str(prompt.params.get("reply_markup"))
    calls = await bot.says(
        AGENT, "No: clients you met here are paid through us, never directly.", AGENTS_CHAT, reply_to=last_prompt(api)
    )
    assert f"<b>{reference}</b> is answered" in texts(calls)
    answered = ticket(bot)
    assert (answered.status, answered.outcome, answered.reason_category) == (
        "resolved",
        "answered",
        "question-answered",
    )
    await bot.deliver()
    told = api.calls("sendMessage", chat_id=OLEG.id)[-1].text
    assert "has been answered" in told and "paid through us, never directly" in told


async def test_a_supervisor_gets_a_private_message_when_a_ticket_is_late_and_may_act_on_it(
    api: FakeBotApi, telegram_desk: Callable[..., Desk], clock: ManualClock
) -> None:
    bot = TelegramHarness(api, telegram_desk(supervisors=[f"telegram:{SUPERVISOR.id}"], first_response_hours=24))
    await bot.start()
    try:
        card_id = await appeal_with_card(bot)
        reference = ticket(bot).reference or ""
        clock.advance(hours=25)
        assert bot.desk.scheduler.run_once().escalations == 1
        await bot.deliver()

        [alert] = api.calls("sendMessage", chat_id=SUPERVISOR.id)
        assert f"<b>{reference}</b> is late" in alert.text and "Nobody has claimed it yet" in alert.text
        assert "told their supervisor" in api.calls("sendMessage", chat_id=OLEG.id)[-1].text
        calls = await bot.taps(SUPERVISOR, "Claim", chat_id=AGENTS_CHAT, message_id=card_id)
        assert "is yours now" in calls[-1].params["text"]
        assert ticket(bot).assignee == f"telegram:{SUPERVISOR.first_name}"
    finally:
        await bot.stop()


async def test_while_the_reviewer_waits_the_clock_is_paused_and_the_user_is_reminded_once(
    bot: TelegramHarness, api: FakeBotApi, clock: ManualClock
) -> None:
    card_id = await appeal_with_card(bot)
    reference = ticket(bot).reference or ""
    bot.desk.tickets.request_info(reference, Actor("telegram", str(AGENT.id), AGENT.first_name), "Send the booking.")
    await bot.deliver()
    assert "the response clock is paused" in api.message(AGENTS_CHAT, card_id)["text"]

    clock.advance(hours=bot.desk.settings.status_update_hours + 1)
    assert bot.desk.scheduler.run_once().waiting_reminders == 1
    await bot.deliver()
    reminder = api.calls("sendMessage", chat_id=OLEG.id)[-1].text
    assert (
        f"A reminder about <b>{reference}</b>" in reminder and "<blockquote>Send the booking.</blockquote>" in reminder
    )
    status = texts(await bot.says(OLEG, "/status"))
    assert "Our response clock is paused until you answer" in status

    calls = await bot.says(OLEG, "Booked flights: 10 and 19 Nov.")
    assert "The clock runs again: you will have a decision by" in texts(calls)
    clock.advance(hours=bot.desk.settings.status_update_hours * 10)
    assert bot.desk.scheduler.run_once().waiting_reminders == 0


async def test_personal_data_the_user_quotes_stays_out_of_the_group(bot: TelegramHarness, api: FakeBotApi) -> None:
    """The account is hidden on the card, and so is every quote of it, in free text and in file names."""
    profile = "https://www.workmarket.com/freelancers/~olegz"
    explanation = f"My profile {profile} was suspended; olegz is my handle. Paid to DE89 3704 0044 0532 0130 00."
    await file_appeal(bot, OLEG, profile, explanation)
    await bot.deliver()
    card_id = int(api.calls("sendMessage", chat_id=AGENTS_CHAT)[-1].response["message_id"])
    await bot.taps(AGENT, "Request info", chat_id=AGENTS_CHAT, message_id=card_id)
    await bot.says(AGENT, "Please send your ID.", AGENTS_CHAT, reply_to=last_prompt(api))
    await bot.deliver()
    await bot.sends_document(OLEG, b"%PDF-1.4 passport", "olegz_passport.pdf", "application/pdf")
    await bot.deliver()

    group = texts(api.calls(chat_id=AGENTS_CHAT))
    for personal in ("olegz", "workmarket.com/freelancers", "DE89", "0532 0130"):
        assert personal not in group
    card = api.message(AGENTS_CHAT, card_id)["text"]
    assert "Account: [hidden - appealdesk tickets show]" in card
    assert "[hidden - appealdesk tickets show]_passport.pdf" in card
    assert "is my handle. Paid to [hidden - appealdesk tickets show]." in card


def alice() -> Actor:
    return Actor("telegram", str(AGENT.id), AGENT.first_name)


async def resolved_with_card(bot: TelegramHarness) -> tuple[int, str]:
    """An appeal reinstated from the command line, its card delivered; returns the card's id and the reference."""
    card_id = await appeal_with_card(bot)
    reference = ticket(bot).reference or ""
    explanation = "The logins came from a VPN server you used while travelling."
    bot.desk.tickets.resolve(
        reference, alice(), "reinstated", "location-or-vpn", explanation, "Login history 12-19 Nov."
    )
    await bot.deliver()
    return card_id, reference


async def test_a_resolved_ticket_is_reopened_from_its_card(bot: TelegramHarness, api: FakeBotApi) -> None:
    card_id, reference = await resolved_with_card(bot)

    await bot.taps(AGENT, "Reopen", chat_id=AGENTS_CHAT, message_id=card_id)
    assert ticket(bot).status == "resolved"  # first, whether the user should read a message with it
    calls = await bot.taps(AGENT, "Reopen without a message", chat_id=AGENTS_CHAT)

    assert f"{reference} is open again" in calls[-1].params["text"]
    assert ticket(bot).status == "in_review" and ticket(bot).outcome is None
    await bot.deliver()
    assert "has been opened again" in api.calls("sendMessage", chat_id=OLEG.id)[-1].text
    card = api.message(AGENTS_CHAT, card_id)
    labels = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert "Reopen" not in labels and "Resolve" in labels


async def test_a_reopened_ticket_can_carry_a_message_for_the_user_as_on_slack(
    bot: TelegramHarness, api: FakeBotApi
) -> None:
    card_id, reference = await resolved_with_card(bot)
    await bot.taps(AGENT, "Reopen", chat_id=AGENTS_CHAT, message_id=card_id)
    question = api.calls("sendMessage", chat_id=AGENTS_CHAT)[-2]
    assert "Reopen without a message" in str(question.params["reply_markup"])

    calls = await bot.says(AGENT, "We found a mistake in our check.", AGENTS_CHAT, reply_to=last_prompt(api))

    assert f"{reference}</b> is open again" in texts(calls) and ticket(bot).status == "in_review"
    assert "is open again" in api.message(AGENTS_CHAT, int(question.response["message_id"]))["text"]
    await bot.deliver()
    told = api.calls("sendMessage", chat_id=OLEG.id)[-1].text
    assert "has been opened again" in told and "We found a mistake in our check." in told


async def test_view_details_shows_personal_data_in_the_agents_private_chat_only(
    bot: TelegramHarness, api: FakeBotApi
) -> None:
    await file_appeal(bot, OLEG, "oleg.z@example.com")
    await bot.deliver()
    card_id = bot.desk.cards.get(ticket(bot).id or 0, "telegram")
    assert card_id is not None

    calls = await bot.taps(AGENT, "View details", chat_id=AGENTS_CHAT, message_id=int(card_id.message_id))

    assert "are in your private chat with me" in calls[-1].params["text"]
    assert "oleg.z@example.com" in texts(api.calls("sendMessage", chat_id=AGENT.id))
    assert "oleg.z@example.com" not in texts(api.calls(chat_id=AGENTS_CHAT))
    with bot.desk.db.session() as session:
        viewed = session.exec(select(TicketEvent).where(TicketEvent.action == "viewed")).one()
    assert viewed.actor == "telegram:Alice"


async def test_view_details_asks_an_agent_who_never_started_the_bot_to_do_so(
    bot: TelegramHarness, api: FakeBotApi
) -> None:
    card_id = await appeal_with_card(bot)
    api.fail("sendMessage", 403, "Forbidden: bot can't initiate conversation with a user", chat_id=AGENT.id, times=3)

    calls = await bot.taps(AGENT, "View details", chat_id=AGENTS_CHAT, message_id=card_id)

    assert "Open a chat with me and press Start" in calls[-1].params["text"]
