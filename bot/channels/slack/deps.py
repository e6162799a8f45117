"""What every Slack listener needs, built once by the channel."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.chat import Chat
from bot.channels.slack.files import Files
from bot.channels.slack.people import Directory
from bot.channels.slack.tasks import Background
from bot.config import Settings
from bot.core.delivery import DeliveryWorker
from bot.core.rendering import Renderer
from bot.desk import Desk


@dataclass
class SlackDeps:
    desk: Desk
    settings: Settings
    client: AsyncWebClient
    renderer: Renderer  # the desk's texts, with commands written the Slack way
    chat: Chat
    people: Directory
    files: Files
    tasks: Background
    replies: DeliveryWorker  # sends a turn's replies from the outbox straight after the turn

    def is_agent(self, user_id: str) -> bool:
        return user_id in self.settings.agents_for("slack")
