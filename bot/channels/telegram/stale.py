"""Buttons no route takes: no data at all, or a forged or retired `tk:` button; and steps already taken.

Each is answered with the stale-button notice, so the button stops spinning and the person knows why
nothing happened.
"""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.constants import CallbackQueryLimit
from telegram.ext import ContextTypes

from bot.channels.telegram.messages import quietly
from bot.core.rendering import Renderer

NOTICE_LIMIT = CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH
STALE = "errors/stale_button.j2"


async def answer_press(query: CallbackQuery, notice: str) -> None:
    """Answers a press: a notice (as an alert) for the one who pressed, or nothing when the chat shows it."""
    text = notice[:NOTICE_LIMIT] or None
    await quietly(lambda: query.answer(text, show_alert=text is not None))


class StaleButtons:
    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer

    def notice(self) -> str:
        return self.renderer.render(STALE, {}, "plain")

    async def on_callback(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await answer_press(update.callback_query, self.notice())
