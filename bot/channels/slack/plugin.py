"""Slack as a channel plugin: settings, mrkdwn, `/appeal human`, Block Kit's limits, and its adapter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.base import Channel, ChannelPlugin
from bot.channels.slack.settings import SlackSettings
from bot.config import Settings
from bot.core.capabilities import Capabilities
from bot.core.rendering import CommandSyntax, RenderFormat

if TYPE_CHECKING:
    from bot.desk import Desk

COMMAND = "/appeal"
# Slack keeps slash commands for itself: texts on Slack say `/appeal human` for the core's /human.
SYNTAX = CommandSyntax(root=COMMAND.removeprefix("/"))
# mrkdwn: &, < and > are Slack's control characters (<!channel>, <@U1>, links); nothing else is escaped.
SLACK_MRKDWN = RenderFormat(
    "slack_mrkdwn",
    lambda text: text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
    b="*{}*",
    i="_{}_",
    code="`{}`",
    markup="entities",
)
# Block Kit's limits: 3000 characters a section (the core cuts longer texts), 2000 a button's value.
# The buttons of a reply go in actions blocks of 25, the blocks in messages of 50 (the adapter pages them).
MAX_SECTION_CHARS = 3000
MAX_BUTTON_VALUE = 2000
CAPABILITIES = Capabilities(max_text_chars=MAX_SECTION_CHARS, max_button_data=MAX_BUTTON_VALUE, edits_messages=True)


def connect(desk: Desk, settings: Settings) -> Channel:
    from bot.channels.slack.channel import SlackChannel

    return SlackChannel(desk, settings)


PLUGIN = ChannelPlugin(
    name="slack",
    format=SLACK_MRKDWN,
    commands=SYNTAX,
    capabilities=CAPABILITIES,
    settings=SlackSettings,
    connect=connect,
)
