"""Every channel AppealDesk has, one registration line each, and what is built from the list.

Adding a channel is its own package under bot/channels/ with a `plugin.py`, plus one line here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from bot.channels.base import Channel, ChannelPlugin
from bot.channels.slack.plugin import PLUGIN as SLACK
from bot.channels.telegram.plugin import PLUGIN as TELEGRAM
from bot.channels.terminal.plugin import PLUGIN as TERMINAL
from bot.channels.web.plugin import PLUGIN as WEB
from bot.config import ChannelSettings, Settings

if TYPE_CHECKING:
    from bot.desk import Desk

PLUGINS: tuple[ChannelPlugin, ...] = (
    TERMINAL,
    TELEGRAM,
    SLACK,
    WEB,
)


def load_settings(**values: Any) -> Settings:
    """The settings with every channel's own part, from the environment (and .env) and `values`.

    A value is named as its variable is, without `APPEALDESK_`: `telegram_token` is the Telegram
    channel's `token` (`APPEALDESK_TELEGRAM_TOKEN`). A bad channel value is reported under that
    same name, so an operator reads which variable to fix.
    """
    sources = {"_env_file": values.pop("_env_file")} if "_env_file" in values else {}
    channels: dict[str, ChannelSettings] = {}
    for plugin in PLUGINS:
        if plugin.settings is None:
            continue
        prefix = f"{plugin.name}_"
        own = {name.removeprefix(prefix): values.pop(name) for name in list(values) if name.startswith(prefix)}
        try:
            channels[plugin.name] = plugin.settings(**sources, **own)
        except ValidationError as error:
            raise _under(plugin.name, error) from None
    return Settings(**sources, **values, channels=channels)


def _under(channel: str, error: ValidationError) -> ValidationError:
    """The same errors, located under the channel's name (`telegram`, `agents_chat`)."""
    details: list[Any] = [
        {"type": item["type"], "loc": (channel, *item["loc"]), "input": item["input"], "ctx": item.get("ctx", {})}
        for item in error.errors()
    ]
    return ValidationError.from_exception_data(error.title, details)


def configured_channels(desk: Desk) -> list[Channel]:
    """Each channel `appealdesk run` starts: those whose credentials are set, and those with nothing to set."""
    return [
        plugin.connect(desk, desk.settings)
        for plugin in PLUGINS
        if plugin.connect is not None and _configured(plugin, desk.settings)
    ]


def unconfigured_channels(settings: Settings) -> list[str]:
    """The channels `appealdesk run` could start once their credentials are set, for the start banner."""
    return [plugin.name for plugin in PLUGINS if plugin.connect is not None and not _configured(plugin, settings)]


def _configured(plugin: ChannelPlugin, settings: Settings) -> bool:
    own = settings.channels.get(plugin.name)
    return plugin.settings is None or (own is not None and own.configured)
