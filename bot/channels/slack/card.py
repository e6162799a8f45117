"""The agents' card of a ticket, and its thread entries, without personal data the channel does not need.

Personal answers (the account, the contact e-mail) are hidden by the shared card template; e-mail
addresses and phone numbers inside free text are masked here. "View details" shows everything to
one agent, and that access is logged by the core.
"""

from __future__ import annotations

from typing import Any

from bot.channels.slack.blocks import MAX_BLOCKS, Block, actions, button, sections, shorten
from bot.core.rendering import Renderer
from bot.core.tickets.redaction import redact_event, redact_ticket

AGENT_ACTION_PREFIX = "agent:"
OPEN_ACTIONS = ("claim", "info", "reply", "note", "resolve", "details")
CLOSED_ACTIONS = ("note", "details")
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

    @property
    def placeholder(self) -> str:
        return self.renderer.label_text("slack.hidden")

    def card(self, view: dict[str, Any]) -> tuple[list[Block], str]:
        context = {"ticket": redact_ticket(view, self.placeholder), "redact_personal": True}
        text = self.renderer.render("agents/ticket_card.j2", context, "slack_mrkdwn")
        names = CLOSED_ACTIONS if view["status"] == "resolved" else OPEN_ACTIONS
        value = action_value(view)
        elements = [
            button(
                self.renderer.label_text(f"slack.card.{name}"),
                AGENT_ACTION_PREFIX + name,
                value,
                "primary" if name == "claim" else None,
            )
            for name in names
        ]
        return [*sections(text)[: MAX_BLOCKS - 1], *actions(elements)], shorten(text, MAX_TEXT_CHARS)

    def thread_entry(self, view: dict[str, Any], event: dict[str, Any]) -> tuple[list[Block], str]:
        context = {"ticket": view, "event": redact_event(event, self.placeholder)}
        text = self.renderer.render("slack/card_event.j2", context, "slack_mrkdwn")
        return sections(text)[:MAX_BLOCKS], shorten(text, MAX_TEXT_CHARS)

    def alert(self, template: str, context: dict[str, Any]) -> tuple[list[Block], str]:
        safe = (
            {**context, "ticket": redact_ticket(context["ticket"], self.placeholder)}
            if "ticket" in context
            else context
        )
        text = self.renderer.render(template, safe, "slack_mrkdwn")
        return sections(text)[:MAX_BLOCKS], shorten(text, MAX_TEXT_CHARS)
