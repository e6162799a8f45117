"""What the agents' group may read of a ticket: the whole group sees every message, so personal data stays out.

Answers marked personal (the account, the contact e-mail) are hidden by the shared card template
when `redact_personal` is set; e-mail addresses and phone numbers in free text are masked by the
core. An agent who needs them runs `appealdesk tickets show REF`, and that view is logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.rendering import Renderer
from bot.core.tickets.redaction import redact_event, redact_ticket

HIDDEN_LABEL = "tg.hidden"


def for_the_group(renderer: Renderer, context: Mapping[str, Any]) -> dict[str, Any]:
    """A card's or an alert's context with the ticket, and the change it shows, redacted."""
    placeholder = renderer.label_text(HIDDEN_LABEL)
    safe = {**context, "redact_personal": True}
    if context.get("ticket"):
        safe["ticket"] = redact_ticket(context["ticket"], placeholder)
    if context.get("event"):
        safe["event"] = redact_event(context["event"], placeholder)
    return safe
