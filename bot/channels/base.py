"""What a channel adapter offers the runtime: HTTP routes, outbox senders, and a life cycle."""

from __future__ import annotations

from typing import Protocol

from starlette.routing import BaseRoute

from bot.core.outbox import Sender


class Channel(Protocol):
    name: str

    def routes(self) -> list[BaseRoute]:
        """Routes to mount on the product's HTTP server (webhooks, events); may be empty."""
        ...

    def senders(self) -> dict[str, Sender]:
        """Outbox senders by channel name, for user messages and agents' cards."""
        ...

    async def start(self) -> None:
        """Starts receiving (polling, Socket Mode, or nothing when webhooks are used)."""
        ...

    async def stop(self) -> None: ...
