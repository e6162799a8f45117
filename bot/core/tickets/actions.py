"""What an agent can do with a ticket, derived from the lifecycle and from who holds the ticket.

Every surface asks here: a card offers `available_actions(ticket)` (what an agent of the chat can
do), and the ticket service refuses, with the reason, what `refusal(ticket, actor, action)` says.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.core.tickets.actors import Actor
from bot.core.tickets.lifecycle import TRANSITIONS, Refused, target_status


class AgentAction(StrEnum):
    """An agent's action on a ticket, in the order cards show them; the value is what buttons carry."""

    CLAIM = "claim"
    REQUEST_INFO = "info"
    REPLY = "reply"
    NOTE = "note"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    REASSIGN = "reassign"
    DETAILS = "details"


# The lifecycle transitions an action takes (the first whose start fits); viewing details changes nothing.
STEPS: dict[AgentAction, tuple[str, ...]] = {
    AgentAction.CLAIM: ("claim", "reassign"),
    AgentAction.REQUEST_INFO: ("request_info",),
    AgentAction.REPLY: ("reply",),
    AgentAction.NOTE: ("note",),
    AgentAction.RESOLVE: ("resolve",),
    AgentAction.REOPEN: ("reopen",),
    AgentAction.REASSIGN: ("reassign",),
    AgentAction.DETAILS: (),
}


class Held(Protocol):
    """What the rules read of a ticket: a `Ticket` row, a card's `TicketSummary`, or a `TicketState`."""

    @property
    def status(self) -> str: ...

    @property
    def assignee(self) -> str | None: ...


@dataclass(frozen=True)
class TicketState:
    status: str
    assignee: str | None = None


@dataclass(frozen=True)
class Offer:
    """An action a surface shows; `label` is its label key, which each channel words in its own labels."""

    action: AgentAction

    @property
    def label(self) -> str:
        return f"card.{self.action.value}"


def lifecycle_step(ticket: Held, action: AgentAction) -> str | None:
    """The lifecycle transition `action` takes from the ticket's status, or None if none starts there."""
    return next((step for step in STEPS[action] if ticket.status in TRANSITIONS[step][0]), None)


def refusal(ticket: Held, actor: Actor | None, action: AgentAction, force: bool = False) -> Refused | None:
    """Why `actor` (None: any agent of the chat) may not take `action` now, or None when they may.

    A ticket someone holds is taken over only with `force`; claiming a ticket one holds already
    changes nothing, so it is not offered. Only a supervisor hands a ticket to someone else, so a card
    (offered to any agent of the chat) never shows Reassign.
    """
    if action is AgentAction.REASSIGN and (actor is None or not actor.supervises):
        return Refused("not_supervisor", {"who": actor.label if actor else ""})
    steps = STEPS[action]
    if steps and lifecycle_step(ticket, action) is None:
        allowed = list(dict.fromkeys(status for step in steps for status in TRANSITIONS[step][0]))
        return Refused("transition", {"action": steps[0], "status": ticket.status, "allowed": allowed})
    if action is AgentAction.CLAIM and ticket.status != "new" and ticket.assignee:
        if actor is not None and ticket.assignee == actor.label:
            return Refused("claimed_already", {"assignee": ticket.assignee})
        if not force:
            return Refused("claimed_by_other", {"assignee": ticket.assignee})
    return None


def available_actions(ticket: Held, actor: Actor | None = None) -> tuple[Offer, ...]:
    """What `actor` can do with the ticket now (None: any agent of the chat, as a card offers)."""
    return tuple(Offer(action) for action in AgentAction if refusal(ticket, actor, action) is None)


def permit(ticket: Held, reference: str, actor: Actor, action: AgentAction, force: bool = False) -> str:
    """The ticket's status after `action`, or Refused with the reason it is not possible now."""
    refused = refusal(ticket, actor, action, force)
    if refused is not None:
        raise Refused(refused.code, {"reference": reference, **refused.context})
    step = lifecycle_step(ticket, action)
    return target_status(step, ticket.status) if step else ticket.status
