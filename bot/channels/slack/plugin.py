"""Slack as a channel plugin: its settings, its command syntax (`/appeal human`), and its adapter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.base import Channel, ChannelPlugin
from bot.channels.slack.settings import SlackSettings
from bot.config import Settings
from bot.core.rendering import CommandSyntax

if TYPE_CHECKING:
    from bot.desk import Desk

COMMAND = "/appeal"
# Slack keeps slash commands for itself: texts on Slack say `/appeal human` for the core's /human.
SYNTAX = CommandSyntax(root=COMMAND.removeprefix("/"))


def connect(desk: Desk, settings: Settings) -> Channel:
    from bot.channels.slack.channel import SlackChannel

    return SlackChannel(desk, settings)


PLUGIN = ChannelPlugin(name="slack", commands=SYNTAX, settings=SlackSettings, connect=connect)
