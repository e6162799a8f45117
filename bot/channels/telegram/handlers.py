"""Freelancers' private chats: each update becomes one core event, and the core's replies go back.

Nothing about the conversation is kept here: the core decides from its database what a message
means, so a restarted bot (or a second one behind a webhook) carries on where the user is.
"""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.channels.telegram.files import attachments_of, download_limit, too_big_for_telegram
from bot.channels.telegram.messages import Poster, persistently
from bot.core.delivery import DeliveryWorker
from bot.core.events import Identity, Inbound
from bot.desk import Desk


class FreelancerChats:
    def __init__(self, desk: Desk, poster: Poster, replies: DeliveryWorker) -> None:
        self.desk = desk
        self.poster = poster
        self.replies = replies

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        chat_id = str(message.chat.id)
        attachments = attachments_of(message, context.bot, asyncio.get_running_loop())
        too_big = [item.name for item in attachments if too_big_for_telegram(item, self.desk.settings)]
        if too_big:
            max_mb = round(download_limit(self.desk.settings) / (1024 * 1024), 1)
            text = self.poster.render("telegram/file_too_big.j2", {"names": too_big, "max_mb": max_mb})
            await persistently(lambda: self.poster.send(chat_id, text))
            return
        inbound = Inbound(
            Identity("telegram", str(user.id), chat_id),
            text=message.text or message.caption or "",
            attachments=attachments,
            update_id=str(update.update_id),
            display_name=user.full_name,
            locale=user.language_code,
        )
        await self.desk.answer(inbound, self.replies)

    async def on_callback(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every press is answered at once (so the button stops spinning); the core then decides what it means."""
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return
        await persistently(lambda: query.answer())
        message = query.message
        if message is None or message.chat.type != ChatType.PRIVATE:
            return
        inbound = Inbound(
            Identity("telegram", str(user.id), str(message.chat.id)),
            payload=query.data or "",
            update_id=str(update.update_id),
            display_name=user.full_name,
            pressed_message_id=str(message.message_id),
            locale=user.language_code,
        )
        await self.desk.answer(inbound, self.replies)

    async def on_group_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Appeals are private: a command in some group gets a pointer to the private chat."""
        message = update.effective_message
        if message is None:
            return
        text = self.poster.render("telegram/private_only.j2", {"username": context.bot.username})
        await persistently(lambda: self.poster.send(str(message.chat.id), text, reply_to=message.message_id))
