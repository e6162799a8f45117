"""One ticket card per agents' chat, kept up to date: the publishing rule, once for every channel.

A ticket's card is posted once and then edited in place on every change; if the platform says it
is gone (deleted by an agent), it is posted again. What the change was (the card row's event) and
the agents' alerts about the ticket go under the card, so its thread reads as the ticket's story.
Each channel says how it posts, edits and threads through a `CardPort`; where the card lives is
kept by the core's `CardRegistry`, saved as soon as the card's first part is out, so a retry of a
card in parts edits it and never posts a second one. Before its first post the card is claimed in
the registry, so two workers posting a ticket's first card at once post it once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from bot.core.outbox import CardRegistry, Delivered, Outbound, RetryLater


@dataclass(frozen=True)
class Card:
    """Where a ticket's card is: the chat and the message, as the platform names them."""

    chat_id: str
    message_id: str


CLAIMED_RETRY_SECONDS = 1.0
Posted = Callable[[Card], Awaitable[None]]


class CardPort(Protocol):
    """What a channel does for the publisher; its errors other than "gone" propagate to its sender."""

    async def post(self, message: Outbound, posted: Posted) -> None:
        """Posts the card where the row goes, calling `posted` once its first message is out."""

    async def edit(self, card: Card, message: Outbound) -> bool:
        """Shows the card's new state in place; False if the card is gone (or not in the row's chat)."""

    async def thread(self, card: Card, message: Outbound) -> str | None:
        """Posts the row's event (or the alert) under the card, if the channel shows it; its message id."""


class CardPublisher:
    def __init__(self, registry: CardRegistry, channel: str) -> None:
        self.registry = registry
        self.channel = channel

    async def publish(self, message: Outbound, port: CardPort) -> Delivered | RetryLater:
        """Edits the ticket's card, or posts it the first time (or again, if gone).

        The first time, another worker may be posting it right now: this row then waits a moment
        and edits what that worker posted.
        """
        ticket_id = message.ticket_id or 0
        card = await self.card_of(message)
        if card is None and not await asyncio.to_thread(self.registry.claim, ticket_id, self.channel, message.chat_id):
            return RetryLater("the card is being posted by another worker", retry_after=CLAIMED_RETRY_SECONDS)
        if card is None or not await port.edit(card, message):
            placed: list[Card] = []

            async def posted(first: Card) -> None:
                placed.append(first)
                await asyncio.to_thread(self.registry.save, ticket_id, self.channel, first.chat_id, first.message_id)

            try:
                await port.post(message, posted)
            except BaseException:
                await asyncio.to_thread(self.registry.release, ticket_id, self.channel)
                raise
            card = placed[0]
        if message.context.get("event"):
            await port.thread(card, message)
        return Delivered(card.message_id)

    async def card_of(self, message: Outbound) -> Card | None:
        """The card of the row's ticket on this channel, if it was posted (alerts are threaded under it)."""
        if message.ticket_id is None:
            return None
        stored = await asyncio.to_thread(self.registry.get, message.ticket_id, self.channel)
        return Card(stored.chat_id, stored.message_id) if stored is not None and stored.message_id else None
