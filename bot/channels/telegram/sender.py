"""The outbox's Telegram sender: users' notifications, and the agents' ticket cards kept up to date in place.

Whatever is said between the user and the team (a reply, a question, the user's answers) is also
posted as a reply to the card, so the card's replies read as the ticket's conversation.

Telegram's answers map onto the outbox's results in `results.py`. A message in parts sends only the
parts not yet out, and records each one, so a retry never repeats a part. A message Telegram refused
for our own output is retried once as plain text, without buttons.
What goes to the agents' group comes redacted from the core, since the whole group reads it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from telegram import Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.channels.telegram.agents import card_buttons
from bot.channels.telegram.formatting import keyboard, split_message
from bot.channels.telegram.messages import Markup, Poster, Text
from bot.channels.telegram.results import result_of
from bot.core.outbox import Delivered, DeliveryResult, Outbound, edited_in_place
from bot.desk import Desk

log = logging.getLogger(__name__)


class TelegramSender:
    channel = "telegram"

    def __init__(self, desk: Desk, poster: Poster) -> None:
        self.desk = desk
        self.poster = poster

    async def send(self, message: Outbound) -> DeliveryResult:
        try:
            if message.kind == "ticket_card" and message.ticket_id is not None and not message.as_plain_text:
                return await self._card(message, message.ticket_id)
            return await self._message(message)
        except TelegramError as error:
            return result_of(error, message.chat_id)

    async def _message(self, message: Outbound) -> DeliveryResult:
        """A reply or notification for a user, an alert to the agents (threaded under the ticket's card),
        or a supervisor's alert in their private chat with the bot.

        A reply that is the new state of the message whose button was pressed edits it in place,
        when it fits in one message and the message can still be edited.
        """
        text = self._render(message)
        markup = keyboard(self.desk.renderer, message.buttons)
        if not message.as_plain_text and await edited_in_place(
            message.edit_message_id,
            len(split_message(text.html)),
            lambda message_id: self.poster.edit(message.chat_id, int(message_id), text, markup),
            lambda error: isinstance(error, BadRequest),
        ):
            return Delivered(message.edit_message_id)
        reply_to = int(message.reply_to) if message.reply_to else None
        if message.kind == "agent_alert" and message.ticket_id is not None:
            card = await asyncio.to_thread(self.desk.cards.get, message.ticket_id, self.channel)
            reply_to = int(card.message_id) if card and card.chat_id == message.chat_id else None
        sent = await self._post(message, text, markup, reply_to=reply_to)
        return Delivered(str(sent[-1].message_id) if sent else None)

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
        posted: list[Message] = []

        async def register(first: Message) -> None:  # before the rest: a retry edits the card, never posts a second
            posted.append(first)
            await asyncio.to_thread(
                self.desk.cards.save, ticket_id, self.channel, message.chat_id, str(first.message_id)
            )

        await self._post(replace(message, parts_sent=0), text, markup, markup_on_first=True, on_first=register)
        await self._said(message, posted[0].message_id)
        return Delivered(str(posted[0].message_id))

    async def _said(self, message: Outbound, card_id: int) -> None:
        """A message between the user and the team, as a reply under the card it belongs to."""
        event = message.context.get("event") or {}
        if not event.get("public_message"):
            return
        text = self.poster.render("telegram/agents/said.j2", message.context)
        await self.poster.send(message.chat_id, text, reply_to=card_id)

    async def _post(
        self,
        message: Outbound,
        text: Text,
        markup: Markup | None,
        markup_on_first: bool = False,
        reply_to: int | None = None,
        on_first: Callable[[Message], Awaitable[None]] | None = None,
    ) -> list[Message]:
        """Sends the parts not yet out, recording each but the last; as plain text without buttons if so retried."""
        if message.as_plain_text:
            parts, parse_mode, markup = split_message(text.plain(), html=False), None, None
        else:
            parts, parse_mode = split_message(text.html), ParseMode.HTML

        async def part_sent(count: int, sent: Message) -> None:
            if count == 1 and on_first is not None:
                await on_first(sent)
            if count < len(parts):
                await message.parts_out(count)

        return await self.poster.send_parts(
            message.chat_id, parts, parse_mode, markup, markup_on_first, reply_to, message.parts_sent, part_sent
        )

    def _render(self, message: Outbound) -> Text:
        return self.poster.render(message.template, message.context)
