"""A ticket as an agents' chat (or a supervisor's chat) may read it: redacted here, once, for every channel.

The core queues cards, their thread entries and alerts as an `AgentCardView`, so no channel can
forget the redaction: a channel's card renderer reads the row back with `AgentCardView.read` and gets
typed, already-redacted fields. Everything else an alert says (which target it missed) is kept in
`details`, redacted like the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.core.tickets.redaction import for_agents
from bot.core.tickets.views import EventRow, TicketSummary


class AgentCardView(BaseModel):
    model_config = ConfigDict(frozen=True)

    ticket: TicketSummary
    event: EventRow | None = None
    details: dict[str, Any] = {}

    @classmethod
    def redacted(
        cls,
        ticket: TicketSummary,
        answers: Mapping[str, Any],
        placeholder: str,
        event: EventRow | None = None,
        **details: Any,
    ) -> AgentCardView:
        """The view with the user's personal answers, their quotes and contact data replaced by `placeholder`."""
        context: dict[str, Any] = {"ticket": ticket.json_dict(), **details}
        if event is not None:
            context["event"] = event.json_dict()
        return cls.read(for_agents(context, answers, placeholder))

    @classmethod
    def read(cls, context: Mapping[str, Any]) -> AgentCardView:
        """From an outbox row's context, as the core queued it."""
        rest = {key: value for key, value in context.items() if key not in ("ticket", "event")}
        return cls.model_validate({"ticket": context["ticket"], "event": context.get("event"), "details": rest})

    def context(self) -> dict[str, Any]:
        """What templates get: `ticket`, `event` when there is one, and the details by name."""
        context: dict[str, Any] = {"ticket": self.ticket.json_dict(), **self.details}
        if self.event is not None:
            context["event"] = self.event.json_dict()
        return context
