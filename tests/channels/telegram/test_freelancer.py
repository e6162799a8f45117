"""A freelancer's private chat, through python-telegram-bot polling the fake Bot API."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlmodel import select

from bot.core.events import Button, Inbound, Reply
from bot.desk import Desk
from bot.store.models import Conversation, Evidence, Ticket
from tests.channels.telegram.conftest import AGENTS_CHAT, OLEG
from tests.fakes.telegram_bot_api import Call, FakeBotApi, FakeUser
from tests.fakes.telegram_harness import EVIDENCE_PDF, TelegramHarness, file_appeal


def texts(calls: list[Call], method: str = "sendMessage") -> str:
    return "\n---\n".join(call.text for call in calls if call.method == method)


async def test_complete_intake_with_a_document(bot: TelegramHarness, api: FakeBotApi) -> None:
    calls = await file_appeal(bot, OLEG, "olegz_dev")

    assert [command["command"] for command in api.commands] == [
        "start",
        "appeal",
        "status",
        "ask",
        "add",
        "human",
        "help",
        "cancel",
    ]
    assert all(call.error is None for call in calls), [call.error for call in calls if call.error]
    sent = texts(calls)
    assert "Which account is it?" in sent
    assert "Saved: booking.pdf" in sent
    assert "Sent. Your reference is <b>AD-" in sent
    presses = [call for call in calls if call.method == "answerCallbackQuery"]
    assert len(presses) == sum(1 for call in calls if call.method == "answerCallbackQuery")
    # the multi-choice step is edited in place, with the choices ticked
    edits = [call for call in calls if call.method == "editMessageText"]
    assert edits and ("✓ VPN or travel", edits[-1].buttons[0][1]) in edits[-1].buttons
    assert all(len(data.encode()) <= 64 for call in calls for _, data in call.buttons)

    desk = bot.desk
    with desk.db.session() as session:
        ticket = session.exec(select(Ticket)).one()
        evidence = session.exec(select(Evidence)).one()
    assert ticket.account_key and ticket.status == "new"
    assert evidence.ticket_id == ticket.id and evidence.name == "booking.pdf"
    assert evidence.sha256 == hashlib.sha256(EVIDENCE_PDF).hexdigest()
    assert evidence.mime_type == "application/pdf" and evidence.size == len(EVIDENCE_PDF)
    assert [call.method for call in api.calls("getFile")] == ["getFile"]

    # the agents' group gets the card, with its buttons, and the card's message is remembered
    assert await bot.deliver() >= 1
    card = api.calls("sendMessage", chat_id=AGENTS_CHAT)[-1]
    assert ticket.reference and ticket.reference in card.text
    assert [label for label, _ in card.buttons] == ["Claim", "Request info", "Reply", "Note", "Resolve", "View details"]
    stored = desk.cards.get(ticket.id or 0, "telegram")
    assert stored is not None and stored.chat_id == str(AGENTS_CHAT)


async def _to_notice_text(bot: TelegramHarness) -> None:
    await bot.says(OLEG, "/appeal")
    await bot.says(OLEG, "olegz_dev")
    await bot.taps(OLEG, "Permanently suspended")
    await bot.says(OLEG, "yesterday")


async def test_a_rule_question_in_the_middle_of_the_intake(bot: TelegramHarness) -> None:
    await bot.says(OLEG, "/appeal")
    calls = await bot.says(OLEG, "is it allowed to use a VPN for work?")

    sent = [call for call in calls if call.method == "sendMessage"]
    answer = next(
        call for call in sent if ("Yes, this helped", call.buttons[0][1] if call.buttons else "") in call.buttons
    )
    assert [label for label, _ in answer.buttons] == ["Yes, this helped", "No", "Talk to a person"]
    assert "<b>" in answer.text and "Last reviewed" in answer.text
    assert "Which account is it?" in sent[-1].text  # and back to the question the user was at

    feedback = await bot.taps(OLEG, "Yes, this helped")
    assert feedback[0].method == "answerCallbackQuery"
    assert "(2/" in texts(await bot.says(OLEG, "olegz_dev"))


async def test_a_stale_button_gets_a_notice_not_an_error(bot: TelegramHarness, api: FakeBotApi) -> None:
    await bot.says(OLEG, "/appeal")
    await bot.says(OLEG, "olegz_dev")
    old, data = bot.button(OLEG.id, "Permanently suspended")
    await bot.taps(OLEG, "Permanently suspended")

    calls = await bot.presses(OLEG, old, data)

    assert calls[0].method == "answerCallbackQuery"
    assert "That button belongs to an earlier message" in texts(calls)
    assert all(call.error is None for call in calls)
    garbage = await bot.presses(OLEG, old, "nonsense")
    assert garbage[0].method == "answerCallbackQuery" and "earlier message" in texts(garbage)


async def test_what_users_type_is_escaped(bot: TelegramHarness, api: FakeBotApi) -> None:
    typed = "They wrote: <b>violation</b> & <script>alert(1)</script> of R&D rules <3"
    calls = await _to_summary(bot, typed, "I did nothing wrong & my clients <all of them> can confirm it, truly.")

    assert "They wrote: &lt;b&gt;violation&lt;/b&gt; &amp; &lt;script&gt;" in texts(calls)
    assert "my clients &lt;all of them&gt;" in texts(calls)
    assert all(call.error is None for call in api.calls()), [call.error for call in api.calls() if call.error]
    await bot.taps(OLEG, "Send appeal")
    await bot.deliver()
    card = api.calls("sendMessage", chat_id=AGENTS_CHAT)[-1]
    assert card.error is None and "&lt;script&gt;" in card.text


async def test_the_html_falls_back_to_plain_text_without_buttons_at_once_when_telegram_refuses_it(
    bot: TelegramHarness, api: FakeBotApi
) -> None:
    api.fail("sendMessage", 400, "Bad Request: can't parse entities: unexpected end tag", chat_id=OLEG.id)

    calls = await bot.says(OLEG, "/start")

    sends = [call for call in calls if call.method == "sendMessage"]
    assert sends[0].error and sends[1].error is None
    assert "parse_mode" not in sends[1].params and sends[1].buttons == []
    assert "Start appeal" in sends[1].text


async def _to_summary(bot: TelegramHarness, notice: str, explanation: str) -> list[Call]:
    """Walks to the summary with the optional steps skipped; returns the calls that showed the summary."""
    await _to_notice_text(bot)
    await bot.says(OLEG, notice)
    await bot.taps(OLEG, '"Irregular activity"')
    await bot.taps(OLEG, "Skip")
    await bot.taps(OLEG, "Skip")
    await bot.taps(OLEG, "Skip")
    await bot.taps(OLEG, "I don't know")
    await bot.taps(OLEG, "Done")
    await bot.says(OLEG, explanation)
    await bot.taps(OLEG, "That's all")
    await bot.taps(OLEG, "Done, no more files")
    await bot.taps(OLEG, "Here in this chat")
    return await bot.taps(OLEG, "Yes, I agree")


async def test_long_messages_are_split_on_paragraphs(bot: TelegramHarness, api: FakeBotApi) -> None:
    notice = ("The notice said my account broke a rule & <more>. " * 80).strip()
    explanation = ("I never broke any rule, I only worked for my clients on the platform. " * 55).strip()
    calls = await _to_summary(bot, notice, explanation)

    summary = [call for call in calls if call.method == "sendMessage"]
    assert len(summary) >= 2, "the summary is longer than one Telegram message"
    assert all(call.error is None for call in summary)
    assert all(len(call.text) <= 4096 for call in summary)
    assert not summary[0].buttons and summary[-1].buttons[0][0] == "Send appeal"
    assert summary[1].text.startswith("<b>")  # cut between two answers, not inside one


async def test_photos_are_taken_in_their_largest_size(bot: TelegramHarness, api: FakeBotApi) -> None:
    await bot.says(OLEG, "/appeal")
    photo = b"\xff\xd8\xff\xe0" + b"J" * 5000
    calls = await bot.sends_photo(OLEG, photo)

    assert "Saved: photo-" in texts(calls)
    assert "Which account is it?" in texts(calls)
    with bot.desk.db.session() as session:
        evidence = session.exec(select(Evidence)).one()
    assert evidence.size == len(photo) and evidence.mime_type == "image/jpeg"


async def test_a_restart_in_the_middle_of_the_intake_loses_nothing(
    bot: TelegramHarness, api: FakeBotApi, telegram_desk: Callable[..., Desk]
) -> None:
    await bot.says(OLEG, "/appeal")
    await bot.says(OLEG, "olegz_dev")
    await bot.stop()

    restarted = TelegramHarness(api, telegram_desk())
    await restarted.start()
    try:
        calls = await restarted.taps(OLEG, "Temporary hold")  # a button sent before the restart
        assert texts(calls).startswith("(3/")
        calls = await restarted.says(OLEG, "yesterday")
        assert texts(calls).startswith("(4/")
    finally:
        await restarted.stop()


async def test_commands_in_other_groups_get_a_pointer_to_the_private_chat(bot: TelegramHarness) -> None:
    calls = await bot.says(OLEG, "/appeal@appealdesk_test_bot", chat_id=-100777)

    assert "only help in a private chat" in texts(calls) and "@appealdesk_test_bot" in texts(calls)
    assert bot.desk.user_of("telegram", str(OLEG.id)) is None


async def test_a_button_telegram_would_refuse_costs_only_that_button(
    bot: TelegramHarness, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A knowledge entry id too long for 64 bytes of callback data must not cost the user the reply."""
    handle = bot.desk.handle
    too_long = Button("kb.entry", "kb:" + "x" * 62, params={"title": "An entry with a very long id"})

    def with_a_long_button(inbound: Inbound) -> list[Reply]:
        return [replace(reply, buttons=((too_long,), *reply.buttons)) for reply in handle(inbound)]

    monkeypatch.setattr(bot.desk, "handle", with_a_long_button)
    calls = await bot.says(OLEG, "fees")

    sent = [call for call in calls if call.method == "sendMessage"]
    assert sent and all(call.error is None for call in calls)
    labels = [label for call in sent for label, _ in call.buttons]
    assert "Talk to a person" in labels and "An entry with a very long id" not in labels


async def _to_notice_date(bot: TelegramHarness, user: FakeUser) -> None:
    await bot.says(user, "/appeal")
    await bot.says(user, "olegz_dev")
    await bot.taps(user, "Permanently suspended")


async def test_the_users_language_settles_an_ambiguous_date(bot: TelegramHarness) -> None:
    british = FakeUser(4343, "Olive", language_code="en-GB")
    await _to_notice_date(bot, british)
    calls = await bot.says(british, "11/05")
    assert "Please paste the message you received" in texts(calls)
    with bot.desk.db.session() as session:
        conversation = session.exec(select(Conversation)).one()
    assert conversation.answers["notice_date"]["value"] == "2026-05-11"


async def test_an_ambiguous_date_is_confirmed_with_buttons_when_the_language_does_not_say(bot: TelegramHarness) -> None:
    english = FakeUser(4444, "Eve", language_code="en")
    await _to_notice_date(bot, english)
    calls = await bot.says(english, "11/05")
    asked = [call for call in calls if call.method == "sendMessage"][-1]
    assert "do you mean Mon 11 May 2026 or Thu 05 Nov 2026?" in asked.text
    assert [label for label, _ in asked.buttons][:2] == ["Mon 11 May 2026", "Thu 05 Nov 2026"]
    calls = await bot.taps(english, "Thu 05 Nov 2026")
    assert "Please paste the message you received" in texts(calls)


async def test_a_text_telegram_split_in_two_arrives_whole(bot: TelegramHarness) -> None:
    await bot.says(OLEG, "/appeal")
    await bot.says(OLEG, "olegz_dev")
    await bot.taps(OLEG, "Nothing yet, I'm worried")
    await bot.taps(OLEG, "Skip")
    await bot.taps(OLEG, "Skip")
    await bot.taps(OLEG, "Skip")
    await bot.taps(OLEG, "I don't know")
    await bot.taps(OLEG, "Done")
    first, rest = "a" * 4096, "b" * 900
    calls = await bot.says(OLEG, first)
    assert "Got it: 4096 characters so far" in texts(calls)
    await bot.says(OLEG, rest)
    calls = await bot.taps(OLEG, "That's all")
    assert "Do you have files" in texts(calls)
    with bot.desk.db.session() as session:
        conversation = session.exec(select(Conversation)).one()
    assert conversation.answers["explanation"]["value"] == first + "\n" + rest


async def test_a_renamed_executable_is_refused_and_a_resent_file_is_kept_once(bot: TelegramHarness) -> None:
    await bot.says(OLEG, "/appeal")
    calls = await bot.sends_document(OLEG, b"MZ\x90\x00" + b"\x00" * 60, "invoice.pdf", "application/pdf")
    assert "Not saved: invoice.pdf - what is inside does not match its name (.pdf)" in texts(calls)
    await bot.sends_document(OLEG, EVIDENCE_PDF, "booking.pdf", "application/pdf")
    calls = await bot.sends_document(OLEG, EVIDENCE_PDF, "booking (1).pdf", "application/pdf")
    assert "Already saved: booking (1).pdf - you sent this same file before" in texts(calls)
    with bot.desk.db.session() as session:
        assert session.exec(select(Evidence.name)).all() == ["booking.pdf"]
