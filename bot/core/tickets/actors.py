"""Who acts on a ticket, and whether they may."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.core.tickets.lifecycle import Refused


@dataclass(frozen=True)
class Actor:
    """`channel` is where the action came from: cli, web, a channel's name, user or system."""

    channel: str
    id: str
    name: str | None = None

    @property
    def label(self) -> str:
        """How the audit trail names the actor (fits the 128-character assignee column)."""
        return f"{self.channel}:{self.name or self.id}"[:128]


SYSTEM = Actor("system", "appealdesk")
# The web console's accounts: each is an agent by its role (core/accounts.py), checked at its sign-in.
CONSOLE = "console"


def require_agent(actor: Actor, settings: Settings) -> None:
    """Only configured agents, signed-in console accounts and the system itself may act on tickets."""
    if actor.channel in (SYSTEM.channel, CONSOLE):
        return
    if actor.id not in settings.agents_for(actor.channel):
        raise Refused("not_agent", {"who": actor.name or actor.id})
