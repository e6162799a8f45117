"""The outbox's Telegram sender: users' notifications, and the agents' ticket cards kept up to date in place.

Whatever is said between the user and the team (a reply, a question, the user's answers) is also
posted as a reply to the card, so the card's replies read as the ticket's conversation.

Telegram's answers map onto the outbox's: 429 waits as long as Telegram asks, a blocked bot or a
chat that is gone is undeliverable (agents see it on the ticket), network trouble is retried.
What goes to the agents' group comes redacted from the core, since the whole group reads it.
"""

from __future__ import annotations

import asyncio
import logging

from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.channels.telegram.agents import card_buttons
from bot.channels.telegram.formatting import keyboard, split_message
from bot.channels.telegram.messages import Poster, Text, retry_after_seconds
from bot.core.outbox import Delivered, DeliveryResult, Outbound, RetryLater, Undeliverable, edited_in_place
from bot.desk import Desk

log = logging.getLogger(__name__)


class TelegramSender:
    channel = "telegram"

    def __init__(self, desk: Desk, poster: Poster) -> None:
        self.desk = desk
        self.poster = poster

    async def send(self, message: Outbound) -> DeliveryResult:
        try:
            if message.kind == "ticket_card" and message.ticket_id is not None:
                return await self._card(message, message.ticket_id)
            return await self._message(message)
        except RetryAfter as error:
            return RetryLater(str(error), retry_after=retry_after_seconds(error))
        except Forbidden as error:
            return Undeliverable(error.message)
        except ChatMigrated as error:
            log.warning("chat %s is now %s: update the configuration", message.chat_id, error.new_chat_id)
            return Undeliverable(error.message)
        except BadRequest as error:
            return Undeliverable(error.message)
        except NetworkError as error:
            return RetryLater(f"{type(error).__name__}: {error.message}")

    async def _message(self, message: Outbound) -> DeliveryResult:
        """A reply or notification for a user, an alert to the agents (threaded under the ticket's card),
        or a supervisor's alert in their private chat with the bot.

        A reply that is the new state of the message whose button was pressed edits it in place,
        when it fits in one message and the message can still be edited.
        """
        text = self._render(message)
        markup = keyboard(self.desk.renderer, message.buttons)
        if await edited_in_place(
            message.edit_message_id,
            len(split_message(text.html)),
            lambda message_id: self.poster.edit(message.chat_id, int(message_id), text, markup),
            lambda error: isinstance(error, BadRequest),
        ):
            return Delivered(message.edit_message_id)
        reply_to = None
        if message.kind == "agent_alert" and message.ticket_id is not None:
            card = await asyncio.to_thread(self.desk.cards.get, message.ticket_id, self.channel)
            reply_to = int(card.message_id) if card and card.chat_id == message.chat_id else None
        sent = await self.poster.send(message.chat_id, text, markup, reply_to=reply_to)
        return Delivered(str(sent[-1].message_id))

    async def _card(self, message: Outbound, ticket_id: int) -> DeliveryResult:
        """Posts a ticket's card the first time, then edits that message on every change."""
        text = self._render(message)
        markup = keyboard(self.desk.renderer, card_buttons(ticket_id, str(message.context["ticket"]["status"])))
        card = await asyncio.to_thread(self.desk.cards.get, ticket_id, self.channel)
        if card is not None and card.chat_id == message.chat_id:
            try:
                await self.poster.edit(message.chat_id, int(card.message_id), text, markup)
            except BadRequest as error:
                if "message to edit not found" not in error.message.lower():
                    raise
            else:
                await self._said(message, int(card.message_id))
                return Delivered(card.message_id)
        sent = await self.poster.send(message.chat_id, text, markup, markup_on_first=True)
        message_id = str(sent[0].message_id)
        await asyncio.to_thread(self.desk.cards.save, ticket_id, self.channel, message.chat_id, message_id)
        await self._said(message, sent[0].message_id)
        return Delivered(message_id)

    async def _said(self, message: Outbound, card_id: int) -> None:
        """A message between the user and the team, as a reply under the card it belongs to."""
        event = message.context.get("event") or {}
        if not event.get("public_message"):
            return
        text = self.poster.render("telegram/agents/said.j2", message.context)
        await self.poster.send(message.chat_id, text, reply_to=card_id)

    def _render(self, message: Outbound) -> Text:
        return self.poster.render(message.template, message.context)
