"""The terminal as a channel plugin: nothing to configure, plain text, and files sent as `/file PATH`."""

from __future__ import annotations

from bot.channels.base import ChannelPlugin
from bot.core.capabilities import Capabilities
from bot.core.rendering import PLAIN, CommandSyntax

# A terminal has no upload button: files are sent as `/file PATH`, and the texts say so.
SYNTAX = CommandSyntax(file_command="file")

PLUGIN = ChannelPlugin(
    name="terminal",
    format=PLAIN,
    commands=SYNTAX,
    capabilities=Capabilities(uploads_files=False),
)
