"""The marketplace and the desk, end to end: the platform records a suspension through the API, the
freelancer is told first on Telegram, appeals there with the record shown first, the staff member who
suspended them is refused as reviewer, another agent reinstates, and the decision reaches the platform
signed. Real python-telegram-bot against the fake Bot API; the platform's receiver checks the signature."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlmodel import select

from bot.core.decision_webhook import EVENT_HEADER, WEBHOOK_CHANNEL, WebhookSender
from bot.store.models import Ticket
from bot.web.app import create_app
from tests.channels.telegram.conftest import AGENT, AGENTS_CHAT, OLEG, OTHER_AGENT
from tests.conftest import DeskFactory
from tests.fakes.platform_receiver import SECRET, Receiver, receiving
from tests.fakes.telegram_bot_api import FakeBotApi
from tests.fakes.telegram_harness import TelegramHarness, file_appeal
from tests.web.api.conftest import BASE, action

ALICE, BOB = AGENT, OTHER_AGENT  # Alice took the platform's action, and is an agent of the desk too


@pytest.fixture
def platform() -> Iterator[Receiver]:
    with receiving() as receiver:
        yield receiver


@pytest.fixture
async def bot(make_desk: DeskFactory, platform: Receiver) -> AsyncIterator[TelegramHarness]:
    with FakeBotApi() as api:
        desk = make_desk(
            telegram_token=api.token,
            telegram_api_url=api.url,
            telegram_agents_chat=str(AGENTS_CHAT),
            telegram_agents=[str(ALICE.id), str(BOB.id)],
            platform_webhook_url=platform.url,
            platform_webhook_secret=SECRET,
        ).migrate()
        harness = TelegramHarness(api, desk)
        await harness.start()
        try:
            yield harness
        finally:
            await harness.stop()


async def deliver(bot: TelegramHarness, platform: Receiver) -> None:
    """One run of the delivery worker, with the channel's senders and the decision webhook's, as `appealdesk run` has."""
    assert bot.channel is not None
    webhook = WebhookSender(platform.url, SECRET)
    try:
        await bot.desk.worker({**bot.channel.senders(), WEBHOOK_CHANNEL: webhook}).run_once()
    finally:
        await webhook.close()


def sent(bot: TelegramHarness, chat_id: int, since: int) -> str:
    return "\n---\n".join(
        call.text for call in bot.api.calls(since=since, chat_id=chat_id) if call.method == "sendMessage"
    )


def the_ticket(bot: TelegramHarness) -> Ticket:
    with bot.desk.db.session() as session:
        return session.exec(select(Ticket)).one()


async def suspend(bot: TelegramHarness, **fields: Any) -> httpx.Response:
    """The platform's Trust & Safety system posts its action with its API key."""
    key = bot.desk.api_keys.add("marketplace")
    transport = httpx.ASGITransport(app=create_app(bot.desk))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        return await client.post(
            "/account-actions",
            json=action(**fields),
            headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "suspension-olegz_dev-1"},
        )


def reply_to_prompt(bot: TelegramHarness) -> int:
    """The bot's latest ForceReply question in the agents' group."""
    call = next(
        c
        for c in reversed(bot.api.calls("sendMessage", chat_id=AGENTS_CHAT))
        if "force_reply" in (c.params.get("reply_markup") or {})
    )
    return int(call.response["message_id"])


async def test_a_suspension_told_first_appealed_on_telegram_reviewed_by_someone_new_and_sent_back_signed(
    bot: TelegramHarness, platform: Receiver
) -> None:
    api = bot.api
    await bot.says(OLEG, "/start")

    # the platform records the suspension, taken by Alice, and the freelancer is told first
    response = await suspend(
        bot, action="permanent_suspension", acting_staff=f"telegram:{ALICE.id}", chat_identity=f"telegram:{OLEG.id}"
    )
    assert response.status_code == 201 and response.json()["user_told"] == "queued"
    mark = api.call_count()
    await deliver(bot, platform)
    told = sent(bot, OLEG.id, mark)
    assert "WorkMarket has permanently suspended your account <b>olegz_dev</b>" in told
    assert "The rule: <b>Letting someone else use your account" in told

    # the appeal, from the told-first message: the record is shown first, and what it answers is not asked
    await bot.taps(OLEG, "Start appeal")
    said = "\n".join(call.text for call in await file_appeal(bot, OLEG, "olegz_dev", start=False) if call.text)
    assert "WorkMarket has this on record for your account: <b>a permanent suspension</b>" in said
    assert "The reason: someone else using your account." in said
    assert "What happened to the account?" not in said and "When did you get the notice" not in said
    assert "Sent. Your reference is <b>AD-" in said
    ticket = the_ticket(bot)
    assert {key: ticket.answers[key].get("from") for key in ("what_happened", "notice_date", "reason_given")} == {
        "what_happened": "platform",
        "notice_date": "platform",
        "reason_given": "platform",
    }

    # the agents' card carries the platform's record beside the user's account of it
    await deliver(bot, platform)
    card = bot.desk.cards.get(ticket.id or 0, "telegram")
    assert card is not None
    card_text = api.message(AGENTS_CHAT, int(card.message_id))["text"]
    on_record = f"On record at WorkMarket: a permanent suspension, Wed 25 Nov, 09:30 UTC, by telegram:{ALICE.id}"
    assert on_record in card_text and "(Account sharing; account-sharing)" in card_text  # category label; rule entry
    assert card_text.index("On record at WorkMarket") < card_text.index("The user says")

    # Alice suspended the account, so she may not review the appeal; Bob may
    calls = await bot.taps(ALICE, "Claim", chat_id=AGENTS_CHAT, message_id=int(card.message_id))
    refusal = calls[-1]
    assert refusal.method == "answerCallbackQuery"
    assert "took WorkMarket's action against this account" in refusal.params["text"]
    assert the_ticket(bot).status == "new"
    await bot.taps(BOB, "Claim", chat_id=AGENTS_CHAT, message_id=int(card.message_id))
    assert the_ticket(bot).assignee == f"telegram:{BOB.first_name}"

    # Bob reinstates
    await bot.taps(BOB, "Resolve", chat_id=AGENTS_CHAT, message_id=int(card.message_id))
    await bot.taps(BOB, "Reinstate", chat_id=AGENTS_CHAT)
    await bot.taps(BOB, "Account sharing", chat_id=AGENTS_CHAT)
    await bot.says(BOB, "You used the account yourself, on a VPN while travelling.", AGENTS_CHAT, reply_to_prompt(bot))
    await bot.says(BOB, "Login history 12-19 Nov matches the booking.", AGENTS_CHAT, reply_to_prompt(bot))
    decided = the_ticket(bot)
    assert (decided.status, decided.outcome, decided.assignee) == (
        "resolved",
        "reinstated",
        f"telegram:{BOB.first_name}",
    )

    # the decision reaches the freelancer, and the platform signed
    mark = api.call_count()
    await deliver(bot, platform)
    assert "has been decided: <b>your account is reinstated</b>" in sent(bot, OLEG.id, mark)
    [call] = platform.calls
    assert call.verified and call.headers[EVENT_HEADER] == "appeal.decided"
    payload = call.payload
    assert (payload["ticket"], payload["account"], payload["outcome"]) == (
        decided.reference,
        "profile:olegz_dev",
        "reinstated",
    )
    assert payload["decided_by"] == f"telegram:{BOB.first_name}"
