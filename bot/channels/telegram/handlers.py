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
from bot.channels.telegram.inbox import CHANNEL
from bot.channels.telegram.messages import quietly
from bot.core.delivery import DeliveryWorker
from bot.core.events import Identity, Inbound, Reply
from bot.desk import Desk


class FreelancerChats:
    def __init__(self, desk: Desk, replies: DeliveryWorker) -> None:
        self.desk = desk
        self.replies = replies

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        attachments = attachments_of(message, context.bot, asyncio.get_running_loop())
        inbound = Inbound(
            Identity(CHANNEL, str(user.id), str(message.chat.id)),
            text=message.text or message.caption or "",
            attachments=attachments,
            update_id=str(update.update_id),
            display_name=user.full_name,
            locale=user.language_code,
        )
        too_big = [item.name for item in attachments if too_big_for_telegram(item, self.desk.settings)]
        if too_big:
            max_mb = round(download_limit(self.desk.settings) / (1024 * 1024), 1)
            notice = Reply("telegram/file_too_big.j2", {"names": too_big, "max_mb": max_mb})
            await self.desk.tell(inbound, [notice], self.replies)
            return
        await self.desk.answer(inbound, self.replies)

    async def on_callback(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every press is answered at once (so the button stops spinning); the core then decides what it means."""
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return
        await quietly(lambda: query.answer())
        message = query.message
        if message is None or message.chat.type != ChatType.PRIVATE:
            return
        inbound = Inbound(
            Identity(CHANNEL, str(user.id), str(message.chat.id)),
            payload=query.data or "",
            update_id=str(update.update_id),
            display_name=user.full_name,
            pressed_message_id=str(message.message_id),
            locale=user.language_code,
        )
        await self.desk.answer(inbound, self.replies)

    async def on_group_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Appeals are private: a command in some group gets a pointer to the private chat, as a reply to it."""
        message, user = update.effective_message, update.effective_user
        if message is None:
            return
        chat_id = str(message.chat.id)
        inbound = Inbound(Identity(CHANNEL, str(user.id) if user else chat_id, chat_id), update_id=str(update.update_id))
        notice = Reply("telegram/private_only.j2", {"username": context.bot.username})
        await self.desk.tell(inbound, [notice], self.replies, reply_to=str(message.message_id))
