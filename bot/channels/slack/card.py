"""The agents' card of a ticket, and its thread entries, as Block Kit.

The core hands them over with personal data redacted. "View details" shows everything to one
agent, and that access is logged by the core.
"""

from __future__ import annotations

from bot.channels.slack.blocks import MAX_BLOCKS, Block, actions, button, sections, shorten
from bot.core.rendering import Renderer
from bot.core.tickets.actions import AgentAction, available_actions
from bot.core.tickets.agent_view import AgentCardView
from bot.core.tickets.views import TicketSummary

AGENT_ACTION_PREFIX = "agent:"
MAX_TEXT_CHARS = 3000


def action_value(ticket: TicketSummary) -> str:
    """What the card's buttons carry: the ticket kind (for the outcomes to offer) and its reference."""
    return f"{ticket.kind}:{ticket.reference}"


def parse_action_value(value: str) -> tuple[str, str]:
    kind, _, reference = value.partition(":")
    return kind, reference


class Cards:
    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer

    def card(self, view: AgentCardView) -> tuple[list[Block], str]:
        text = self.renderer.render("agents/ticket_card.j2", view.context(), "slack_mrkdwn")
        value = action_value(view.ticket)
        elements = [
            button(
                self.renderer.label_text(f"slack.{offer.label}"),
                AGENT_ACTION_PREFIX + offer.action.value,
                value,
                "primary" if offer.action is AgentAction.CLAIM else None,
            )
            for offer in available_actions(view.ticket)
        ]
        return [*sections(text)[: MAX_BLOCKS - 1], *actions(elements)], shorten(text, MAX_TEXT_CHARS)

    def thread_entry(self, view: AgentCardView) -> tuple[list[Block], str]:
        text = self.renderer.render("slack/card_event.j2", view.context(), "slack_mrkdwn")
        return sections(text)[:MAX_BLOCKS], shorten(text, MAX_TEXT_CHARS)

    def alert(self, template: str, view: AgentCardView) -> tuple[list[Block], str]:
        text = self.renderer.render(template, view.context(), "slack_mrkdwn")
        return sections(text)[:MAX_BLOCKS], shorten(text, MAX_TEXT_CHARS)
