"""The agents' card of a ticket, and its thread entries, as Block Kit.

The core hands them over with personal data redacted. "View details" shows everything to one
agent, and that access is logged by the core.
"""

from __future__ import annotations

from typing import Any

from bot.channels.slack.blocks import MAX_BLOCKS, Block, actions, button, sections, shorten
from bot.core.rendering import Renderer
from bot.core.tickets.actions import AgentAction, TicketState, available_actions

AGENT_ACTION_PREFIX = "agent:"
MAX_TEXT_CHARS = 3000


def action_value(view: dict[str, Any]) -> str:
    """What the card's buttons carry: the ticket kind (for the outcomes to offer) and its reference."""
    return f"{view['kind']}:{view['reference']}"


def parse_action_value(value: str) -> tuple[str, str]:
    kind, _, reference = value.partition(":")
    return kind, reference


class Cards:
    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer

    def card(self, view: dict[str, Any]) -> tuple[list[Block], str]:
        text = self.renderer.render("agents/ticket_card.j2", {"ticket": view}, "slack_mrkdwn")
        value = action_value(view)
        elements = [
            button(
                self.renderer.label_text(f"slack.{offer.label}"),
                AGENT_ACTION_PREFIX + offer.action.value,
                value,
                "primary" if offer.action is AgentAction.CLAIM else None,
            )
            for offer in available_actions(TicketState.of(view))
        ]
        return [*sections(text)[: MAX_BLOCKS - 1], *actions(elements)], shorten(text, MAX_TEXT_CHARS)

    def thread_entry(self, view: dict[str, Any], event: dict[str, Any]) -> tuple[list[Block], str]:
        text = self.renderer.render("slack/card_event.j2", {"ticket": view, "event": event}, "slack_mrkdwn")
        return sections(text)[:MAX_BLOCKS], shorten(text, MAX_TEXT_CHARS)

    def alert(self, template: str, context: dict[str, Any]) -> tuple[list[Block], str]:
        text = self.renderer.render(template, context, "slack_mrkdwn")
        return sections(text)[:MAX_BLOCKS], shorten(text, MAX_TEXT_CHARS)
