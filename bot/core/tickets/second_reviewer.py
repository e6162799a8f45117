"""The second-reviewer rule: whoever took the platform's action against an account never reviews the
appeal against it, so every appeal gets a fresh pair of eyes.

The platform names its acting staff member in each account action (core/platform/actions.py); that
name is matched, without regard to case, against the agent's desk identity: the console account or
command-line name, or `channel:user id` on a chat channel. A platform that names its staff the way the
desk names its agents gets the rule on every surface, since every surface claims and decides through
the ticket service.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.core.tickets.actors import Actor
from bot.core.tickets.lifecycle import Refused
from bot.store.models import AccountAction, Ticket

CODE = "second_reviewer"


def names_of(actor: Actor) -> set[str]:
    """Every way the platform may have written this agent's name."""
    return {name.casefold() for name in (actor.id, actor.name, actor.label, f"{actor.channel}:{actor.id}") if name}


def acted_against(session: Session, ticket: Ticket) -> set[str]:
    """The staff members who took an action on the platform against the ticket's account."""
    if ticket.kind != "appeal" or not ticket.account_key:
        return set()
    staff = session.exec(
        select(col(AccountAction.acting_staff)).where(col(AccountAction.account_key) == ticket.account_key)
    ).all()
    return {name.casefold() for name in staff}


def own_case(session: Session, ticket: Ticket, actor: Actor) -> Refused | None:
    """The refusal for an agent about to review an appeal against their own action, or None."""
    if not names_of(actor) & acted_against(session, ticket):
        return None
    return Refused(CODE, {"reference": ticket.reference, "who": actor.name or actor.id})
