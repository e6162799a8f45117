"""Block actions that no other listener takes: a button of an older app version, or a forged one.

Bolt answers those with a 404 and the person sees nothing happen; this listener, registered
last, acknowledges them and says the button is stale, like every other channel does.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.channels.slack.deps import SlackDeps

ANY_ACTION = re.compile(".*")
STALE = "errors/stale_button.j2"


class StaleButtons:
    def __init__(self, deps: SlackDeps) -> None:
        self.deps = deps

    def register(self, app: AsyncApp) -> None:
        """Register after every other listener: bolt runs the first one that matches."""
        app.action(ANY_ACTION)(self.on_action)

    async def on_action(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        user = str((body.get("user") or {}).get("id") or "")
        channel = (body.get("channel") or {}).get("id")
        if user and channel:  # in the App Home there is no channel to answer in; the ack is all
            self.deps.tasks.spawn(user, self.deps.chat.ephemeral(str(channel), user, STALE, {}))
