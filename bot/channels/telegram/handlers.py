"""Freelancers' private chats: each update becomes one core event, and the core's replies go back.

Nothing about the conversation is kept here: the core decides from its database what a message
means, so a restarted bot (or a second one behind a webhook) carries on where the user is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.channels.telegram.files import attachments_of, download_limit, too_big_for_telegram
from bot.channels.telegram.formatting import keyboard, split_message
from bot.channels.telegram.messages import Poster, persistently
from bot.core.desk import Desk
from bot.core.events import Identity, Inbound, Reply


class FreelancerChats:
    def __init__(self, desk: Desk, poster: Poster) -> None:
        self.desk = desk
        self.poster = poster

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
        )
        await self._deliver(chat_id, await asyncio.to_thread(self.desk.handle, inbound))

    async def on_callback(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every press is answered at once (so the button stops spinning); the core then decides what it means."""
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return
        await persistently(lambda: query.answer())
        message = query.message
        if message is None or message.chat.type != ChatType.PRIVATE:
            return
        chat_id = str(message.chat.id)
        inbound = Inbound(
            Identity("telegram", str(user.id), chat_id),
            payload=query.data or "",
            update_id=str(update.update_id),
            display_name=user.full_name,
        )
        await self._deliver(chat_id, await asyncio.to_thread(self.desk.handle, inbound), query)

    async def on_group_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Appeals are private: a command in some group gets a pointer to the private chat."""
        message = update.effective_message
        if message is None:
            return
        text = self.poster.render("telegram/private_only.j2", {"username": context.bot.username})
        await persistently(lambda: self.poster.send(str(message.chat.id), text, reply_to=message.message_id))

    async def _deliver(self, chat_id: str, replies: Sequence[Reply], pressed: CallbackQuery | None = None) -> None:
        for reply in replies:
            text = self.poster.render(reply.template, reply.context)
            markup = keyboard(self.desk.renderer, reply.buttons)
            target = pressed.message if pressed is not None else None
            if reply.replaces_buttons and isinstance(target, Message) and len(split_message(text.html)) == 1:
                await persistently(partial(self.poster.edit, chat_id, target.message_id, text, markup))
            else:
                await persistently(partial(self.poster.send, chat_id, text, markup))
