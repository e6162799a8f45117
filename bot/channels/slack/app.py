"""The bolt app: request verification and the listeners, nothing else. Conversation state stays in the core.

`process_before_response=True` makes every listener finish before the response goes out, which is
why listeners only ack (and open modals) and hand slow work to `Background`: Slack gets its answer
within 3 s in HTTP and Socket Mode alike, and shutdown can wait for the work in flight.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.channels.slack.agents import AgentDesk
from bot.channels.slack.command import AppealCommand
from bot.channels.slack.deps import SlackDeps
from bot.channels.slack.dm import DirectMessages
from bot.channels.slack.home import Home
from bot.channels.slack.modal_intake import AppealForm
from bot.channels.slack.stale import StaleButtons


def build_app(deps: SlackDeps, signing_secret: str) -> AsyncApp:
    app = AsyncApp(
        client=deps.client,
        signing_secret=signing_secret,
        process_before_response=True,
        request_verification_enabled=True,
    )
    dms = DirectMessages(deps)
    form = AppealForm(deps)
    parts = (dms, form, Home(deps, dms, form), AppealCommand(deps, dms, form), AgentDesk(deps), StaleButtons(deps))
    for part in parts:  # in this order: the catch-all for stale buttons comes last
        part.register(app)
    return app
