"""Polling that confirms only what is kept: each batch from getUpdates is recorded before the next call.

Telegram counts an update as delivered once the next getUpdates asks for a higher offset, which
python-telegram-bot does straight away, long before a slow handler (a file download) is done. So
the bot records every batch in the core's inbox as getUpdates returns it; a handler at the end of
each update marks it done, and on start whatever a killed process left undone is handled again.
An update Telegram sends again after a crash (it was recorded, not yet confirmed) is skipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, ExtBot, TypeHandler

from bot.core.inbox import Inbox

CHANNEL = "telegram"
FIRST_GROUP = -1000  # before every handler
LAST_GROUP = 999  # after every handler


class RecordingBot(ExtBot[Any]):
    """getUpdates, with each batch recorded before it is returned (and so before it is confirmed)."""

    def __init__(self, *args: Any, inbox: Inbox, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._inbox = inbox
        self._repeats: set[int] = set()

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        updates = await super().get_updates(*args, **kwargs)
        if updates:
            batch = [(str(update.update_id), update.to_dict()) for update in updates]
            fresh = set(await asyncio.to_thread(self._inbox.record, CHANNEL, batch))
            self._repeats.update(update.update_id for update in updates if str(update.update_id) not in fresh)
        return updates

    def is_repeat(self, update_id: int) -> bool:
        """True once for an update that was recorded before (and is handled from the inbox)."""
        if update_id in self._repeats:
            self._repeats.discard(update_id)
            return True
        return False


class InboxHandlers:
    """The handlers around every update in polling mode, and the replay on start."""

    def __init__(self, inbox: Inbox, bot: RecordingBot) -> None:
        self.inbox = inbox
        self.bot = bot

    def register(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        application.add_handler(TypeHandler(Update, self._skip_repeats), group=FIRST_GROUP)
        application.add_handler(TypeHandler(Update, self._done), group=LAST_GROUP)

    async def replay(self, application: Application[Any, Any, Any, Any, Any, Any]) -> int:
        """Queues what a killed process recorded but did not finish; returns how many."""
        undone: Sequence[tuple[str, dict[str, Any]]] = await asyncio.to_thread(self.inbox.undone, CHANNEL)
        for _update_id, payload in undone:
            update = Update.de_json(payload, application.bot)
            if update is not None:
                await application.update_queue.put(update)
        return len(undone)

    async def _skip_repeats(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if self.bot.is_repeat(update.update_id):
            raise ApplicationHandlerStop

    async def _done(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        await asyncio.to_thread(self.inbox.done, CHANNEL, str(update.update_id))
