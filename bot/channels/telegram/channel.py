"""The Telegram channel as the runtime sees it: polling or a webhook route, the outbox sender, a life cycle.

python-telegram-bot is only the transport here: no ConversationHandler, no persistence; the core
keeps every conversation in its database.
"""

from __future__ import annotations

import hmac
import logging
from datetime import timedelta
from functools import partial
from urllib.parse import urlparse

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import BotCommand, Update
from telegram.constants import ChatType
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.channels.telegram.agents import AgentsGroup
from bot.channels.telegram.handlers import FreelancerChats
from bot.channels.telegram.inbox import InboxHandlers, RecordingBot
from bot.channels.telegram.messages import Poster
from bot.channels.telegram.ordering import PerChatUpdateProcessor
from bot.channels.telegram.ratelimits import INLINE_FLOOD_RETRIES, flood_limits
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.settings import TelegramSettings
from bot.config import Settings, StartupProblem
from bot.core.events import Identity
from bot.core.outbox import Sender
from bot.desk import Desk

log = logging.getLogger(__name__)

COMMANDS = ("start", "appeal", "status", "ask", "add", "human", "help", "cancel")
ALLOWED_UPDATES = ("message", "callback_query")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_WEBHOOK_PATH = "/telegram/webhook"
HANDLERS_GROUP = 0  # add_handler's default group, where every route of ours is


class TelegramChannel:
    name = "telegram"

    def __init__(
        self,
        desk: Desk,
        settings: Settings,
        rate_limiter: AIORateLimiter | None = None,
        poll_timeout: float = 10.0,
    ) -> None:
        """`rate_limiter`: Telegram's flood limits (`flood_limits()`) unless given."""
        config = TelegramSettings.of(settings)
        if not config.token:
            raise StartupProblem("APPEALDESK_TELEGRAM_TOKEN", "is not set.")
        if config.webhook_url and not config.webhook_secret:
            raise StartupProblem(
                "APPEALDESK_TELEGRAM_WEBHOOK_SECRET",
                "webhook mode needs a secret, so that forged updates are refused. Set a long random string.",
            )
        if config.agents_chat and not config.agents_chat.lstrip("-").isdigit():
            raise StartupProblem(
                "APPEALDESK_TELEGRAM_AGENTS_CHAT", "must be the group's numeric chat id, like -1001234567890."
            )
        self.desk = desk
        self.settings = settings
        self.config = config
        self.poll_timeout = poll_timeout
        api = config.api_url.rstrip("/")
        limiter = rate_limiter or flood_limits(config.messages_per_second)
        builder = ApplicationBuilder().concurrent_updates(PerChatUpdateProcessor())
        self.inbox: InboxHandlers | None = None
        if config.webhook_url:  # Telegram retries a webhook until it is answered, after handling
            builder = builder.token(config.token).base_url(f"{api}/bot").base_file_url(f"{api}/file/bot")
            builder = builder.updater(None).rate_limiter(limiter)  # type: ignore[arg-type]  # PTB types it by its default
        else:
            recording = RecordingBot(
                config.token,
                base_url=f"{api}/bot",
                base_file_url=f"{api}/file/bot",
                request=HTTPXRequest(connection_pool_size=256),
                get_updates_request=HTTPXRequest(connection_pool_size=1),
                inbox=desk.inbox,
                rate_limiter=limiter,
            )
            builder = builder.bot(recording)
            self.inbox = InboxHandlers(desk.inbox, recording)
        self.application: Application = builder.build()
        bot = self.application.bot
        self.poster = Poster(bot, desk.renderer, settings)  # the outbox's: the outbox retries a 429
        self.sender = TelegramSender(desk, self.poster)
        self.replies = desk.worker({self.name: self.sender})
        answering = Poster(bot, desk.renderer, settings, INLINE_FLOOD_RETRIES)  # someone waits in the chat
        self._add_handlers(FreelancerChats(desk, self.replies), AgentsGroup(desk, answering))

    def _add_handlers(self, freelancers: FreelancerChats, agents: AgentsGroup) -> None:
        app = self.application
        new_message = filters.UpdateType.MESSAGE
        groups = new_message & filters.ChatType.GROUPS & filters.COMMAND
        # PTB hands a press without data to the first CallbackQueryHandler whatever its pattern: that one is stale.
        app.add_handler(CallbackQueryHandler(agents.stale.on_callback, pattern="^$"))
        app.add_handlers(agents.routes())
        app.add_handler(CallbackQueryHandler(freelancers.on_callback))  # the rest is the core's payloads
        if self.config.agents_chat:
            agents_chat = filters.Chat(chat_id=int(self.config.agents_chat))
            app.add_handler(MessageHandler(new_message & agents_chat & filters.REPLY, agents.on_reply))
            groups = groups & ~agents_chat
        app.add_handler(MessageHandler(new_message & filters.ChatType.PRIVATE, freelancers.on_message))
        app.add_handler(MessageHandler(groups, freelancers.on_group_command))
        app.add_error_handler(self._on_error)
        if self.inbox is not None:
            self.inbox.register(app)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A handler raised. An update from someone's private chat goes by the core's rule for kept
        updates: tried again at once, then given up and the user told so through the outbox, so
        nobody is left without an answer. The log names the update, not who sent it or what it says."""
        log.error("Telegram update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)
        if not isinstance(update, Update):
            return
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None or chat.type != ChatType.PRIVATE:
            return
        identity = Identity(self.name, str(user.id), str(chat.id))
        again = partial(self._handle_again, update)
        await self.desk.handle_kept(str(update.update_id), identity, again, self.replies, failed=True)

    async def _handle_again(self, update: Update) -> None:
        """The update once more through the handler python-telegram-bot picks for it, as `process_update` does."""
        app = self.application
        for handler in app.handlers.get(HANDLERS_GROUP, []):
            check = handler.check_update(update)
            if check is not None and check is not False:
                context = app.context_types.context.from_update(update, app)
                await handler.handle_update(update, app, check, context)
                return

    # ---- the Channel protocol -------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        if not self.config.webhook_url:
            return []
        path = urlparse(self.config.webhook_url).path or DEFAULT_WEBHOOK_PATH
        return [Route(path, self._webhook, methods=["POST"])]

    def senders(self) -> dict[str, Sender]:
        return {self.name: self.sender}

    async def start_sending(self) -> None:
        """Checks the token and the API address: a failure names the setting to fix."""
        app = self.application
        try:
            await app.initialize()
        except InvalidToken as error:
            raise StartupProblem(
                "APPEALDESK_TELEGRAM_TOKEN", "Telegram refused the token. Copy it again from @BotFather (/mybots)."
            ) from error
        except NetworkError as error:
            raise StartupProblem(
                "APPEALDESK_TELEGRAM_API_URL",
                f"cannot reach Telegram at {self.config.api_url} ({error}). "
                "Check the address and this machine's network.",
            ) from error

    async def start(self) -> None:
        await self.start_sending()
        app = self.application
        label = self.desk.renderer.label_text
        await app.bot.set_my_commands([BotCommand(name, label(f"tg.command.{name}")) for name in COMMANDS])
        if self.config.webhook_url:
            try:
                await app.bot.set_webhook(
                    self.config.webhook_url,
                    secret_token=self.config.webhook_secret,
                    allowed_updates=ALLOWED_UPDATES,
                )
            except TelegramError as error:
                raise StartupProblem(
                    "APPEALDESK_TELEGRAM_WEBHOOK_URL",
                    f"Telegram refused the webhook ({error}). It must be a public HTTPS address routed to this server.",
                ) from error
        elif app.updater is not None and self.inbox is not None:
            await self.inbox.replay(app)
            await app.updater.start_polling(
                timeout=timedelta(seconds=self.poll_timeout), allowed_updates=ALLOWED_UPDATES
            )
        await app.start()

    async def stop(self) -> None:
        app = self.application
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    async def _webhook(self, request: Request) -> Response:
        """One update from Telegram; only requests carrying our secret are taken."""
        secret = (self.config.webhook_secret or "").encode()
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not secret or not hmac.compare_digest(given, secret):
            return Response(status_code=403)
        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise TypeError(f"a JSON {type(body).__name__}, not an object")
            update = Update.de_json(body, self.application.bot)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            log.warning("Telegram webhook: refused a body that is not an update (%s: %s)", type(error).__name__, error)
            return Response(status_code=400)
        app = self.application
        await app.update_processor.process_update(update, app.process_update(update))
        return Response(status_code=200)
