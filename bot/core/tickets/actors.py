"""Who acts on a ticket, and whether they may."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.core.tickets.lifecycle import Refused


@dataclass(frozen=True)
class Actor:
    """`channel` is where the action came from: cli, web, a channel's name, user or system.

    `supervises`: a supervisor (a console account's role, or a command-line supervisor in
    APPEALDESK_SUPERVISORS) may also hand a ticket to someone else.
    """

    channel: str
    id: str
    name: str | None = None
    supervises: bool = False

    @property
    def label(self) -> str:
        """How the audit trail names the actor (fits the 128-character assignee column)."""
        return f"{self.channel}:{self.name or self.id}"[:128]


SYSTEM = Actor("system", "appealdesk")
# The web console's accounts: each is an agent by its role (core/accounts.py), checked at its sign-in.
CONSOLE = "console"
CLI = "cli"  # the agents' command line: nothing is pushed there, agents look


def cli_agent(name: str, settings: Settings) -> Actor:
    """An agent on the command line; a supervisor when APPEALDESK_SUPERVISORS names them (`bob` or `cli:bob`)."""
    return Actor(CLI, name, name, supervises=(CLI, name) in settings.supervisor_contacts())


def require_agent(actor: Actor, settings: Settings) -> None:
    """Only configured agents, signed-in console accounts and the system itself may act on tickets."""
    if actor.channel in (SYSTEM.channel, CONSOLE):
        return
    if actor.id not in settings.agents_for(actor.channel):
        raise Refused("not_agent", {"who": actor.name or actor.id})
