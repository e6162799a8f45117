"""The channel plugin contract: what a channel package gives the registry, and what it runs as.

A channel package holds, in one `plugin.py`, everything the rest of AppealDesk knows about it: its
settings model (`APPEALDESK_<CHANNEL>_*`, which also says where its agents' cards go), the format its
texts are rendered in (markup and escaping), how its users type commands, what its messages can hold,
and how to build the running adapter. The registry (`bot/channels/registry.py`) lists the plugins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from starlette.routing import BaseRoute

from bot.config import ChannelSettings, Settings
from bot.core.capabilities import Capabilities
from bot.core.outbox import Sender
from bot.core.rendering import CommandSyntax, RenderFormat

if TYPE_CHECKING:
    from bot.desk import Desk


class Channel(Protocol):
    """A running adapter, as `appealdesk run` drives it."""

    name: str

    def routes(self) -> list[BaseRoute]:
        """Routes to mount on the product's HTTP server (webhooks, events); may be empty."""
        ...

    def senders(self) -> dict[str, Sender]:
        """Outbox senders by channel name, for user messages and agents' cards."""
        ...

    async def start(self) -> None:
        """Starts sending and receiving (polling, Socket Mode, or nothing more when webhooks are used)."""
        ...

    async def start_sending(self) -> None:
        """Starts only what the senders need (a checked, connected client), receiving nothing: for a
        worker-only process (`appealdesk run --role worker`), which delivers what others queue."""
        ...

    async def stop(self) -> None: ...


@dataclass(frozen=True)
class ChannelPlugin:
    """One channel, as the registry knows it.

    `settings` is None for a channel with nothing to configure; `connect` is None for one that
    `appealdesk run` does not start (the terminal has its own command). `connect` imports the
    adapter itself, so a channel that is not set up costs nothing.
    """

    name: str
    format: RenderFormat
    commands: CommandSyntax
    capabilities: Capabilities
    settings: type[ChannelSettings] | None = None
    connect: Callable[[Desk, Settings], Channel] | None = None
