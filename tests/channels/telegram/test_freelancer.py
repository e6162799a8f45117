"""A freelancer's private chat, through python-telegram-bot polling the fake Bot API."""

from __future__ import annotations

import hashlib

from sqlmodel import select

from benchmarks.fakes.telegram_bot_api import FakeBotApi
from benchmarks.fakes.telegram_harness import EVIDENCE_PDF, TelegramHarness, file_appeal
from bot.store.models import Evidence, Ticket
from tests.channels.telegram.conftest import AGENTS_CHAT, OLEG


def texts(calls: list, method: str = "sendMessage") -> str:
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
    assert [label for label, _ in card.buttons] == ["Claim", "Request info", "Note", "Resolve"]
    stored = desk.cards.get(ticket.id or 0, "telegram")
    assert stored is not None and stored.chat_id == str(AGENTS_CHAT)
