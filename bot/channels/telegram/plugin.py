"""Telegram as a channel plugin: settings, Telegram HTML, slash commands, its limits, and its adapter."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from bot.channels.base import Channel, ChannelPlugin
from bot.channels.telegram.settings import TelegramSettings
from bot.config import Settings
from bot.core.capabilities import Capabilities
from bot.core.rendering import SLASH, RenderFormat

if TYPE_CHECKING:
    from bot.desk import Desk

# The HTML subset Telegram accepts (parse_mode HTML): only <, > and & need escaping in text.
TELEGRAM_HTML = RenderFormat(
    "telegram_html",
    lambda text: html.escape(text, quote=False),
    b="<b>{}</b>",
    i="<i>{}</i>",
    code="<code>{}</code>",
    quote="<blockquote>{}</blockquote>",
    markup="tags",
)
# The Bot API's limits: 4096 UTF-16 code units a message, 100 buttons a keyboard, 64 bytes of callback data.
# (Written out rather than read from python-telegram-bot, which would load the whole library here.)
CAPABILITIES = Capabilities(
    max_text_chars=4096, max_buttons=100, max_button_data=64, edits_messages=True, counts_utf16=True
)


def connect(desk: Desk, settings: Settings) -> Channel:
    from bot.channels.telegram.channel import TelegramChannel

    return TelegramChannel(desk, settings)


PLUGIN = ChannelPlugin(
    name="telegram",
    format=TELEGRAM_HTML,
    commands=SLASH,
    capabilities=CAPABILITIES,
    settings=TelegramSettings,
    connect=connect,
)
