"""The web chat as a channel plugin: nothing to configure, HTML, slash commands, buttons and uploads, its adapter.

It has no settings of its own (its cookies are signed with the server's secret key), so `appealdesk
run` always starts it: the chat is served at `/` by the product's HTTP server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.base import Channel, ChannelPlugin
from bot.config import Settings
from bot.core.capabilities import Capabilities
from bot.core.rendering import HTML, SLASH

if TYPE_CHECKING:
    from bot.desk import Desk

NAME = "web"
# A page holds any length and any number of buttons; a button's payload is a form value; a pressed
# message is shown in its new state in its place; files come from the page's upload field.
CAPABILITIES = Capabilities(edits_messages=True, uploads_files=True)


def connect(desk: Desk, settings: Settings) -> Channel:
    from bot.channels.web.channel import WebChannel

    return WebChannel(desk, settings)


PLUGIN = ChannelPlugin(name=NAME, format=HTML, commands=SLASH, capabilities=CAPABILITIES, connect=connect)
