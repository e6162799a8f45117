"""The web chat as the runtime sees it: its routes on the product's HTTP server and its outbox sender."""

from __future__ import annotations

from starlette.routing import BaseRoute

from bot.channels.web.live import Bell
from bot.channels.web.plugin import NAME
from bot.channels.web.routes import STREAM_SECONDS, WebChat
from bot.channels.web.sender import WebSender
from bot.channels.web.session import Sessions
from bot.channels.web.transcript import Transcript
from bot.config import Settings
from bot.core.outbox import Sender
from bot.desk import Desk
from bot.web.secret import secret_key


class WebChannel:
    name = NAME

    def __init__(self, desk: Desk, settings: Settings, stream_seconds: float = STREAM_SECONDS) -> None:
        self.transcript = Transcript(desk.db, desk.clock, NAME)
        bell = Bell()
        self.sender = WebSender(desk.renderer, self.transcript, bell)
        sessions = Sessions(secret_key(settings))
        replies = desk.worker({NAME: self.sender})
        self.chat = WebChat(
            desk, self.transcript, bell, sessions, replies, settings.outbox_poll_seconds, stream_seconds
        )

    def routes(self) -> list[BaseRoute]:
        return self.chat.routes()

    def senders(self) -> dict[str, Sender]:
        return {NAME: self.sender}

    async def start(self) -> None:
        """Nothing to connect to: the HTTP server serves the chat."""

    async def start_sending(self) -> None:
        """Nothing to connect to: the sender writes the transcript that the chat's page reads."""

    async def stop(self) -> None:
        """Open event streams end with the HTTP server."""
