"""The composition root: the core, assembled, for the channel adapters, the web console and the CLI.

It lives beside the runtime, outside the core: it is the one place that wires the core's parts to
the settings, and the channels' own parts come in through the registry (`bot/channels/registry.py`).
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import partial

from sqlmodel import Session, select

from bot.channels.registry import PLUGINS
from bot.config import Settings
from bot.core.accounts import Accounts
from bot.core.answers import RuleAnswers, RuleBook, answer_buttons, entry_reply
from bot.core.clock import Clock, SystemClock
from bot.core.delivery import DeliveryWorker
from bot.core.engine import ConversationEngine
from bot.core.events import Identity, Inbound, Reply
from bot.core.evidence import EvidenceStore
from bot.core.fitting import fit
from bot.core.inbox import Inbox, handle_kept
from bot.core.intake.form import IntakeForm
from bot.core.intake.on_record import OnRecord
from bot.core.knowledge.admin import KnowledgeAdmin
from bot.core.knowledge.entry import Entry
from bot.core.knowledge.library import KnowledgeLibrary
from bot.core.metrics import Metrics
from bot.core.outbox import CardRegistry, Outbox, Sender
from bot.core.personal_data import PersonalData
from bot.core.platform.actions import AccountActions
from bot.core.platform.audit import ApiAudit
from bot.core.platform.idempotency import Idempotency
from bot.core.platform.keys import ApiKeys
from bot.core.platform.links import LinkCodes
from bot.core.platform.tickets import PlatformTickets
from bot.core.rendering import Renderer, Shown
from bot.core.replies import INTERNAL_ERROR, Handled
from bot.core.repository import ChatRepository
from bot.core.retention import Retention
from bot.core.scheduler import Scheduler
from bot.core.tickets.service import TicketService
from bot.store.db import Database
from bot.store.migrate import upgrade
from bot.store.models import User


def worker_name() -> str:
    """Names this process in leases (64 characters at most, whatever the host name)."""
    return f"{socket.gethostname()[:50]}:{os.getpid()}"


class Desk:
    def __init__(
        self,
        settings: Settings,
        db: Database | None = None,
        clock: Clock | None = None,
        rulebook: RuleBook | None = None,
        destinations: Sequence[tuple[str, str]] | None = None,
    ) -> None:
        self.settings = settings
        self.db = db or Database(settings.database_url)
        self.clock = clock or SystemClock()
        self.renderer = Renderer(
            settings.templates_dir,
            {"platform": settings.platform_name, "product": "AppealDesk"},
            formats=[plugin.format for plugin in PLUGINS],
        )
        self.outbox = Outbox(self.db, self.clock)
        self.cards = CardRegistry(self.db, self.clock)
        self.inbox = Inbox(self.db, self.clock)
        self.evidence = EvidenceStore(
            settings.evidence_dir,
            settings.evidence_max_bytes,
            settings.evidence_types,
            settings.evidence_max_files,
            self.clock,
        )
        self.tickets = TicketService(
            self.db,
            settings,
            self.clock,
            self.outbox,
            settings.agent_destinations() if destinations is None else destinations,
            self.hidden,
            self.evidence,
        )
        self.knowledge = KnowledgeLibrary(self.db, self.clock, settings.knowledge_dir)
        self.answers = RuleAnswers(self.knowledge if rulebook is None else rulebook, settings.platform_name)
        self.chats = ChatRepository(self.clock)
        on_record = OnRecord(self.knowledge.entry, settings.platform_name)
        self.engine = ConversationEngine(
            self.db,
            settings,
            self.clock,
            self.tickets,
            self.evidence,
            self.answers,
            self.renderer.label_text,
            self.chats,
            on_record,
            {plugin.name: plugin.capabilities for plugin in PLUGINS},
        )
        self.engine.admin_commands["/kb"] = KnowledgeAdmin(self.knowledge, settings).command
        self.intake_form = IntakeForm(
            self.tickets, self.evidence, self.renderer.label_text, self.engine.intake.suggest, self.user_for, on_record
        )
        self.accounts = Accounts(self.db, self.clock)
        self.metrics = Metrics(self.db, self.clock)
        # The platform's side, for its API (bot/web/api/)
        self.api_keys = ApiKeys(self.db, self.clock)
        self.api_audit = ApiAudit(self.db, self.clock)
        self.idempotency = Idempotency(self.db, self.clock)
        self.account_actions = AccountActions(self.clock, self.outbox, self.knowledge, settings.platform_name)
        self.platform_tickets = PlatformTickets(self.db, settings)
        self.link_codes = LinkCodes(self.clock)
        self.engine.commands["/link"] = self.link_codes.command
        self.personal_data = PersonalData(self.db, settings, self.clock, self.tickets, self.evidence)
        self.retention = Retention(self.db, settings, self.clock, self.evidence, self.tickets)
        self.scheduler = Scheduler(
            self.db, settings, self.clock, self.tickets, self.outbox, worker_name(), self.retention
        )

    def hidden(self, channel: str) -> str:
        """What stands for redacted data in a channel's agents' chat: it says where to see it there."""
        key = f"hidden.{channel}"
        return self.renderer.label_text(key if self.renderer.has_label(key) else "hidden")

    def answer_previews(self, entry: Entry) -> dict[str, list[Shown]]:
        """The entry's answer as each channel that `appealdesk run` starts would send it: its own markup,
        escaping and command syntax, with the buttons every answer offers, fitted to what the channel's
        messages carry as every turn is (the console previews an edit with it)."""
        reply = entry_reply(entry, self.settings.platform_name, buttons=answer_buttons(None))
        previews = {}
        for plugin in PLUGINS:
            if plugin.connect is not None:
                renderer = self.renderer.with_commands(plugin.commands)
                fitted = fit([reply], plugin.capabilities).replies
                previews[plugin.name] = [renderer.shown(message, plugin.format.name) for message in fitted]
        return previews

    def migrate(self) -> Desk:
        """Applies migrations and loads the knowledge base (importing knowledge/ on first start)."""
        upgrade(self.db.engine)
        self.knowledge.refresh()
        return self

    def handle(self, inbound: Inbound) -> list[Reply]:
        return self.engine.handle(inbound)

    def handle_turn(self, inbound: Inbound, lease_to: str | None = None) -> Handled:
        return self.engine.handle_turn(inbound, lease_to)

    async def answer(self, inbound: Inbound, replies: DeliveryWorker) -> Handled:
        """What a channel does with a message: handle it, then send the queued replies at once.

        Whatever is not sent now (a crash, a rate limit) stays in the outbox for the workers.
        """
        return await self._send_now(replies, partial(self.engine.handle_turn, inbound, replies.owner))

    async def tell(
        self, inbound: Inbound, notice: Sequence[Reply], replies: DeliveryWorker, reply_to: str | None = None
    ) -> Handled:
        """What a channel does with a message it answers itself: the notice goes out like any reply,
        through the outbox, and what is not sent now is sent by the workers."""
        return await self._send_now(replies, partial(self.engine.handle_notice, inbound, notice, replies.owner, reply_to))

    async def handle_kept(
        self,
        update_id: str,
        identity: Identity,
        handle: Callable[[], Awaitable[None]],
        replies: DeliveryWorker,
        failed: bool = False,
    ) -> bool:
        """Handles an update kept in the inbox by the core's rule (tried again, then given up); a user whose
        message is given up is told so, through the outbox. `failed`: a first attempt has failed already.
        Returns whether it was handled."""

        async def sorry() -> None:
            await self.tell(Inbound(identity, update_id=update_id), [INTERNAL_ERROR], replies)

        return await handle_kept(self.inbox, identity.channel, update_id, handle, sorry, failed=failed)

    @staticmethod
    async def _send_now(replies: DeliveryWorker, queue: Callable[[], Handled]) -> Handled:
        """Queues a turn's replies (leased to the worker), then has the worker send them at once."""
        handled = await asyncio.to_thread(queue)
        await replies.deliver(handled.to_send)
        return handled

    def worker(
        self,
        senders: Mapping[str, Sender],
        chat_id: str | None = None,
        owner: str | None = None,
        wake: asyncio.Event | None = None,
    ) -> DeliveryWorker:
        return DeliveryWorker(
            self.outbox, senders, owner or worker_name(), self.tickets.delivery_failed, chat_id, wake=wake
        )

    def user_of(self, channel: str, platform_user_id: str) -> User | None:
        with self.db.session() as session:
            return session.exec(
                select(User).where(User.channel == channel, User.platform_user_id == platform_user_id)
            ).first()

    def user_for(self, session: Session, identity: Identity, display_name: str | None = None) -> User:
        """The user behind an identity, created on first contact: for what opens a ticket outside a
        chat turn (the one-page intake form), inside the caller's transaction."""
        return self.chats.user(session, Inbound(identity, display_name=display_name))
