"""Slack as a channel of `appealdesk run`: /slack/events (or Socket Mode), and the outbox's sender."""

from __future__ import annotations

from aiohttp import ClientError, ClientSession
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.channels.slack.app import build_app
from bot.channels.slack.card import Cards
from bot.channels.slack.chat import Chat
from bot.channels.slack.deps import SlackDeps
from bot.channels.slack.dm import DirectMessages
from bot.channels.slack.files import Files
from bot.channels.slack.people import Directory
from bot.channels.slack.plugin import SYNTAX
from bot.channels.slack.sender import SlackSender
from bot.channels.slack.settings import SlackSettings
from bot.channels.slack.tasks import Background
from bot.config import Settings, StartupProblem
from bot.core.outbox import Sender
from bot.desk import Desk

EVENTS_PATH = "/slack/events"


class SlackChannel:
    name = "slack"

    def __init__(self, desk: Desk, settings: Settings) -> None:
        config = SlackSettings.of(settings)
        token = config.bot_token or ""
        self.config = config
        client = AsyncWebClient(token=token, base_url=config.api_url)
        self.renderer = desk.renderer.with_commands(SYNTAX)
        # The outbox's own client: a delivery worker's retries must not wait on interactive traffic.
        sender_client = AsyncWebClient(token=token, base_url=config.api_url)
        self.sender = SlackSender(sender_client, Chat(sender_client, self.renderer), Cards(self.renderer), desk.cards)
        self.deps = SlackDeps(
            desk=desk,
            settings=settings,
            client=client,
            renderer=self.renderer,
            chat=Chat(client, self.renderer),
            people=Directory(client),
            files=Files(client, token, config.api_url, settings.evidence_max_bytes),
            tasks=Background(),
            replies=desk.worker({self.name: self.sender}),
        )
        self.app: AsyncApp = build_app(self.deps, config.signing_secret or "")
        self.handler = AsyncSlackRequestHandler(self.app)
        self.socket: AsyncSocketModeHandler | None = None

    def routes(self) -> list[BaseRoute]:
        if self.config.app_token:
            return []
        return [Route(EVENTS_PATH, self._events, methods=["POST"])]

    async def _events(self, request: Request) -> Response:
        return await self.handler.handle(request)

    def senders(self) -> dict[str, Sender]:
        return {self.name: self.sender}

    async def start_sending(self) -> None:
        """Checks the bot token (auth.test): a failure names the setting to fix.

        From here on each client keeps its connections between calls: without a session of its own,
        slack_sdk opens a new one for every call (for Slack, a TLS handshake before every message).
        """
        for client in self._clients():
            client.session = ClientSession()
        try:
            await self.deps.client.auth_test()
        except (SlackApiError, ClientError, OSError) as error:
            await self._close_sessions()
            raise self._start_problem(error) from error

    def _start_problem(self, error: Exception) -> StartupProblem:
        if isinstance(error, SlackApiError):
            return StartupProblem(
                "APPEALDESK_SLACK_BOT_TOKEN",
                f"Slack refused the token ({error.response.get('error')}). Copy the Bot User OAuth Token "
                "(xoxb-...) again from the app's OAuth & Permissions page.",
            )
        return StartupProblem(
            "APPEALDESK_SLACK_API_URL",
            f"cannot reach Slack at {self.config.api_url} ({error}). Check the address and the network.",
        )

    def _clients(self) -> tuple[AsyncWebClient, AsyncWebClient]:
        """The interactive client and the outbox's."""
        return self.deps.client, self.sender.client

    async def _close_sessions(self) -> None:
        for client in self._clients():
            if client.session is not None:
                await client.session.close()
                client.session = None

    async def start(self) -> None:
        await self.start_sending()
        await DirectMessages(self.deps).replay()
        if self.config.app_token:
            self.socket = AsyncSocketModeHandler(self.app, self.config.app_token)
            try:
                await self.socket.connect_async()
            except (SlackApiError, ClientError, OSError) as error:
                raise StartupProblem(
                    "APPEALDESK_SLACK_APP_TOKEN",
                    f"Socket Mode did not connect ({error}). Check the app-level token (xapp-...) "
                    "and that Socket Mode is on for the app.",
                ) from error

    async def stop(self) -> None:
        if self.socket is not None:
            await self.socket.close_async()
        await self.deps.tasks.drain()
        await self._close_sessions()
