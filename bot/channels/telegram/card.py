"""A ticket card's buttons in the agents' group: what the core offers any agent now, two to a row."""

from __future__ import annotations

from bot.core.events import Button
from bot.core.tickets.actions import available_actions
from bot.core.tickets.agent_view import AgentCardView

PREFIX = "tk"
PER_ROW = 2
Rows = tuple[tuple[Button, ...], ...]


def card_buttons(ticket_id: int, card: AgentCardView) -> Rows:
    """Callback data is `tk:<ticket id>:<action>`; labels are `tg.card.<action>`."""
    buttons = [
        Button(f"tg.{offer.label}", f"{PREFIX}:{ticket_id}:{offer.action.value}")
        for offer in available_actions(card.ticket)
    ]
    return tuple(tuple(buttons[i : i + PER_ROW]) for i in range(0, len(buttons), PER_ROW))
