"""A ticket card's buttons in the agents' group: what the core offers any agent now, two to a row."""

from __future__ import annotations

from typing import Any

from bot.core.events import Button
from bot.core.tickets.actions import TicketState, available_actions

PREFIX = "tk"
PER_ROW = 2
Rows = tuple[tuple[Button, ...], ...]


def card_buttons(ticket_id: int, view: dict[str, Any]) -> Rows:
    """Callback data is `tk:<ticket id>:<action>`; labels are `tg.card.<action>`."""
    buttons = [
        Button(f"tg.{offer.label}", f"{PREFIX}:{ticket_id}:{offer.action.value}")
        for offer in available_actions(TicketState.of(view))
    ]
    return tuple(tuple(buttons[i : i + PER_ROW]) for i in range(0, len(buttons), PER_ROW))
