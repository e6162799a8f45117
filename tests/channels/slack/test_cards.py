"""The agents' card of a ticket through the core's publisher, on Slack: posted once, even by two workers at once."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from bot.core.outbox import Delivered, RetryLater, outbound
from bot.store.models import OutboxMessage, TicketCard
from tests.channels.slack.conftest import AGENTS_CHANNEL, SlackHarness
from tests.channels.slack.flows import appeal_in_dm


async def test_two_workers_sending_a_first_card_at_once_post_it_once(slack: SlackHarness) -> None:
    await appeal_in_dm(slack, "U1")
    with slack.desk.db.session() as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "ticket_card")).one()
    card = outbound(row)
    since = len(slack.fake.calls)

    results = await asyncio.gather(slack.channel.sender.send(card), slack.channel.sender.send(card))

    posted = [call for call in slack.fake.calls_to(AGENTS_CHANNEL, since) if call.method == "chat.postMessage"]
    assert len([call for call in posted if "thread_ts" not in call.params]) == 1
    assert all(isinstance(result, (Delivered, RetryLater)) for result in results)
    with slack.desk.db.session() as session:
        stored = session.exec(select(TicketCard)).one()
    assert Delivered(stored.message_id) in results and stored.claimed_until is None
