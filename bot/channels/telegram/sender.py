"""The outbox's Telegram sender: users' notifications, and the agents' ticket cards kept up to date in place.

Cards are published by the core's `CardPublisher` through this sender's post, edit and thread.
Whatever is said between the user and the team (a reply, a question, the user's answers) is
threaded as a reply to the card, so the card's replies read as the ticket's conversation.

Telegram's answers map onto the outbox's results in `results.py`. A message in parts sends only the
parts not yet out, and records each one, so a retry never repeats a part. A message Telegram refused
for our own output is retried once as plain text, without buttons.
What goes to the agents' group comes redacted from the core, since the whole group reads it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from telegram import InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.channels.telegram.card import card_buttons
from bot.channels.telegram.formatting import keyboard, split_message
from bot.channels.telegram.messages import Markup, Poster, Text
from bot.channels.telegram.results import result_of
from bot.core.cards import Card, CardPublisher, Posted
from bot.core.outbox import Delivered, DeliveryResult, Outbound, edited_in_place
from bot.core.tickets.agent_view import AgentCardView
from bot.desk import Desk

log = logging.getLogger(__name__)


class TelegramSender:
    channel = "telegram"

    def __init__(self, desk: Desk, poster: Poster) -> None:
        self.desk = desk
        self.poster = poster
        self.cards = CardPublisher(desk.cards, self.channel)

    async def send(self, message: Outbound) -> DeliveryResult:
        try:
            if message.kind == "ticket_card" and message.ticket_id is not None and not message.as_plain_text:
                return await self.cards.publish(message, self)
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
        if message.kind == "agent_alert":
            card = await self.cards.card_of(message)
            reply_to = int(card.message_id) if card and card.chat_id == message.chat_id else None
        sent = await self._post(message, text, markup, reply_to=reply_to)
        return Delivered(str(sent[-1].message_id) if sent else None)

    async def post(self, message: Outbound, posted: Posted) -> None:
        """Posts a ticket's card whole (a retry's earlier parts belonged to a card now gone), buttons on top."""
        text, markup = self._card(message)

        async def first(sent: Message) -> None:
            await posted(Card(message.chat_id, str(sent.message_id)))

        await self._post(replace(message, parts_sent=0), text, markup, markup_on_first=True, on_first=first)

    async def edit(self, card: Card, message: Outbound) -> bool:
        if card.chat_id != message.chat_id:  # the agents moved to another group: the card starts there anew
            return False
        try:
            await self.poster.edit(message.chat_id, int(card.message_id), *self._card(message))
        except BadRequest as error:
            if "message to edit not found" not in error.message.lower():
                raise
            return False
        return True

    async def thread(self, card: Card, message: Outbound) -> str | None:
        """A message between the user and the team, as a reply under the card it belongs to."""
        view = AgentCardView.read(message.context)
        if view.event is None or not view.event.public_message:
            return None
        text = self.poster.render("telegram/agents/said.j2", view.context())
        sent = await self.poster.send(message.chat_id, text, reply_to=int(card.message_id))
        return str(sent[-1].message_id) if sent else None

    def _card(self, message: Outbound) -> tuple[Text, InlineKeyboardMarkup | None]:
        """The card's text and buttons, from the core's redacted view of the ticket."""
        view = AgentCardView.read(message.context)
        text = self.poster.render(message.template, view.context())
        return text, keyboard(self.desk.renderer, card_buttons(message.ticket_id or 0, view))

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
