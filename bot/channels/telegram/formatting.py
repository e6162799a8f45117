"""Telegram's message shape: its texts cut to its limit by the core's rule, and inline keyboards."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.telegram.plugin import CAPABILITIES, TELEGRAM_HTML
from bot.core.events import Button
from bot.core.fitting import usable
from bot.core.rendering import PLAIN, Renderer
from bot.core.splitting import message_parts


def units(text: str) -> int:
    """Telegram counts UTF-16 code units, so an emoji can take two."""
    return CAPABILITIES.length(text)


def split_message(text: str, limit: int | None = None, html: bool = True) -> list[str]:
    """`text` in as many messages as Telegram's limit (or `limit`) needs, cut by the core's rule:
    between paragraphs first, each part valid Telegram HTML on its own."""
    caps = CAPABILITIES if limit is None else replace(CAPABILITIES, max_text_chars=limit)
    return message_parts(text, TELEGRAM_HTML if html else PLAIN, caps)


def keyboard(renderer: Renderer, rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """The core's buttons as an inline keyboard.

    Telegram refuses a whole message if one button carries more than its 64 bytes, so the core
    leaves such a button out (`usable`, logged): the user still gets the reply and the other buttons.
    """
    markup = [
        [InlineKeyboardButton(renderer.label(button), callback_data=button.payload) for button in row]
        for row in usable(rows, CAPABILITIES)
    ]
    return InlineKeyboardMarkup(markup) if markup else None
