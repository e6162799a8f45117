"""Telegram as a channel plugin: its settings, its command syntax, and its adapter, built on demand."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.base import Channel, ChannelPlugin
from bot.channels.telegram.settings import TelegramSettings
from bot.config import Settings
from bot.core.rendering import SLASH

if TYPE_CHECKING:
    from bot.desk import Desk


def connect(desk: Desk, settings: Settings) -> Channel:
    from bot.channels.telegram.channel import TelegramChannel

    return TelegramChannel(desk, settings)


PLUGIN = ChannelPlugin(name="telegram", commands=SLASH, settings=TelegramSettings, connect=connect)
