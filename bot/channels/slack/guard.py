"""Only configured agents work tickets: bolt listener middleware in front of every agents' listener.

A click by anyone else is acknowledged and refused in an ephemeral note; a modal submitted by anyone
else shows the refusal on the modal's first field. The middleware answers the request itself and
does not call `next`, so neither the listener nor the catch-all for stale buttons runs. The ticket
service checks again and has the last word.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.async_app import AsyncAck

from bot.channels.slack.deps import SlackDeps
from bot.core.tickets.actors import Actor
from bot.core.tickets.lifecycle import Refused

Next = Callable[[], Awaitable[None]]
Middleware = Callable[..., Awaitable[BoltResponse | None]]
REFUSAL = "agents/refusal.j2"


def actor_of(user: dict[str, Any]) -> Actor:
    return Actor("slack", str(user["id"]), user.get("name") or user.get("username"))


def not_agent(actor: Actor) -> Refused:
    return Refused("not_agent", {"who": actor.name or actor.id})


class AgentsOnly:
    def __init__(self, deps: SlackDeps) -> None:
        self.deps = deps

    async def click(self, ack: AsyncAck, body: dict[str, Any], next: Next) -> BoltResponse | None:
        """For the card's buttons: bolt's own name for the continuation is `next`."""
        actor = actor_of(body["user"])
        if self.deps.is_agent(actor.id):
            await next()
            return None
        response = await ack()
        refusal = not_agent(actor)
        channel = str((body.get("channel") or {}).get("id") or "")
        if channel:
            await self.deps.chat.ephemeral(channel, actor.id, REFUSAL, {"code": refusal.code, **refusal.context})
        return response

    def submission(self, field: str) -> Middleware:
        """For a modal's submission: the refusal is shown on `field`, the modal's first."""

        async def guard(ack: AsyncAck, body: dict[str, Any], next: Next) -> BoltResponse | None:
            actor = actor_of(body["user"])
            if self.deps.is_agent(actor.id):
                await next()
                return None
            refusal = not_agent(actor)
            text = self.deps.renderer.render(REFUSAL, {"code": refusal.code, **refusal.context})
            return await ack(response_action="errors", errors={field: text})

        return guard
