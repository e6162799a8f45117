"""The conversation engine: one inbound message in, the replies out, state kept in the database.

Every update is handled in one transaction: the dedupe record, the state change, the tickets and
the queued notifications commit together or not at all, so a crash never half-handles a message
and a redelivered update changes nothing. What a message means is decided by an ordered table of
routes (the first that applies handles it); commands and buttons are tables too. The rows a turn
starts from (dedupe record, user, conversation) come from the repository.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.core import log_context, payloads, telemetry
from bot.core.answers import RuleAnswers, person_asked, reports_suspension
from bot.core.capabilities import UNLIMITED, Capabilities
from bot.core.clock import Clock
from bot.core.events import Button, Inbound, Reply
from bot.core.evidence import EvidenceStore
from bot.core.fitting import fit, typed_choice
from bot.core.intake.flow import IntakeFlow
from bot.core.intake.on_record import OnRecord
from bot.core.memo import NextText
from bot.core.modes import Mode
from bot.core.replies import INTERNAL_ERROR, Handled, queue_replies
from bot.core.repository import ChatRepository
from bot.core.routing import Route, first_route
from bot.core.sla import hours_left, next_update_by
from bot.core.text import clean, command_of, looks_like_question
from bot.core.tickets.service import TicketService
from bot.core.tickets.views import iso
from bot.core.turn import Turn
from bot.store.db import Database, again_if_disconnected
from bot.store.models import Ticket

log = logging.getLogger(__name__)
GREETINGS = re.compile(r"^(hi|hello|hey|hallo|hola|good (morning|afternoon|evening)|start|menu)\W*$", re.IGNORECASE)
THANKS = re.compile(
    r"^(thanks?( you)?|thx|ty|thank u|ok(ay)?|cool|great|got it|bye)\W*( ?(a lot|so much|bro))?\W*$", re.IGNORECASE
)
# Where a platform reserves slash commands for itself, the bare word works too.
WORD_COMMANDS = {"help": "/help", "status": "/status", "my appeals": "/status", "human": "/human", "appeal": "/appeal"}
START_BUTTONS = ((Button("go.appeal", "go:appeal", style="primary"), Button("go.ask", "go:ask")),)

Command = Callable[[Turn, str], None]


class ConversationEngine:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        clock: Clock,
        tickets: TicketService,
        evidence: EvidenceStore,
        answers: RuleAnswers,
        label: Callable[[str], str],
        chats: ChatRepository,
        on_record: OnRecord,
        capabilities: Mapping[str, Capabilities] | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.tickets = tickets
        self.evidence = evidence
        self.answers = answers
        self.intake = IntakeFlow(
            settings,
            tickets,
            evidence,
            label,
            answers.answer,
            partial(answers.answer, confident_only=True),
            self._suggest,
            on_record,
        )
        self.chats = chats
        self.capabilities = dict(capabilities or {})
        self.admin_commands: dict[str, Command] = {}
        # What a message means, first match wins: the order is the rule.
        self.routes: tuple[Route, ...] = (
            Route("too long for where the user is", self._too_long, self._refuse_too_long),
            Route("a button", lambda turn: turn.inbound.payload is not None, self._on_button),
            Route("the number of a listed choice", self._typed_choice, self._on_typed_choice),
            Route("a command", lambda turn: command_of(turn.text) is not None, self._on_command),
            Route("nothing in it", lambda turn: not turn.text and not turn.inbound.attachments, self._on_empty),
            Route("the text the bot asked for", self._answers_what_was_asked, self._on_asked_text),
            Route("an intake answer", lambda turn: turn.conversation.mode == Mode.INTAKE, self._on_intake),
            Route("anything else", lambda turn: True, self._idle),
        )
        self.commands: dict[str, Command] = {
            "/start": self._start,
            "/help": self._help,
            "/appeal": self._appeal_command,
            "/new": self._appeal_command,
            "/status": self._status_command,
            "/cancel": lambda turn, _rest: self._cancel(turn),
            "/back": self._back,
            "/ask": self._ask,
            "/add": lambda turn, _rest: self._start_adding(turn),
            "/human": self._human,
        }
        # The "go:" buttons, and whether the intake question is shown again after each.
        self.go_buttons: dict[str, tuple[Callable[[Turn], None], bool]] = {
            "appeal": (self._appeal, False),
            "ask": (self._ask_prompt, False),
            "human": (lambda turn: self._human(turn, ""), False),
            "human_last": (self._send_last_question, True),
            "status": (self._status, True),
            "add": (self._start_adding, True),
        }

    def handle(self, inbound: Inbound) -> list[Reply]:
        """Handles one update exactly once and returns the replies it queued for the user."""
        return self.handle_turn(inbound).replies

    def handle_turn(self, inbound: Inbound, lease_to: str | None = None) -> Handled:
        """Handles one update exactly once; a duplicate update id queues and returns no replies.

        The replies are queued in the outbox in the turn's transaction, leased to `lease_to` (the
        channel's sender) so it can send them straight away. If handling fails, nothing of it is
        kept (so a redelivery is handled afresh) and the user still gets an answer that says so.
        """
        channel = inbound.identity.channel
        started = time.perf_counter()
        with log_context.bound(update_id=inbound.update_id):
            try:
                handled = self._handle(inbound, lease_to)
                telemetry.UPDATES.labels(channel, "handled" if handled else "duplicate").inc()
                return handled or Handled([])
            except Exception:
                log.exception("handling update %s of %s failed", inbound.update_id, inbound.identity.key)
                telemetry.UPDATES.labels(channel, "failed").inc()
            finally:
                telemetry.HANDLING_SECONDS.labels(channel).observe(time.perf_counter() - started)
            return self._sorry(inbound, lease_to)

    @again_if_disconnected
    def _sorry(self, inbound: Inbound, lease_to: str | None) -> Handled:
        """A turn that failed is answered all the same: nothing of it was kept, and the user may send it again."""
        with self.db.session() as session:
            user = self.chats.user(session, inbound)
            caps = self.capabilities_of(inbound)
            return queue_replies(session, self.tickets.outbox, inbound, user.id, [INTERNAL_ERROR], lease_to, caps=caps)

    @again_if_disconnected
    def handle_notice(
        self, inbound: Inbound, notice: Sequence[Reply], lease_to: str | None = None, reply_to: str | None = None
    ) -> Handled:
        """Queues the notice a channel answers an update with instead of handing it on (a file it
        cannot fetch, a command where the bot does not talk), once per update id, like a turn's replies.

        No route sees the update and no user is created: the notice is all it leaves behind.
        """
        with self.db.session() as session:
            if inbound.update_id is not None and not self.chats.first_delivery(session, inbound):
                return Handled([])
            fitted = fit(notice, self.capabilities_of(inbound)).replies
            return queue_replies(
                session, self.tickets.outbox, inbound, None, fitted, lease_to, reply_to, self.capabilities_of(inbound)
            )

    def _handle(self, inbound: Inbound, lease_to: str | None) -> Handled | None:
        """The turn's replies; None for an update handled before. Its files are downloaded first, once."""
        if inbound.attachments:
            inbound = replace(inbound, attachments=self.evidence.prefetch(inbound.attachments))
        return self._turn(inbound, lease_to)

    @again_if_disconnected
    def _turn(self, inbound: Inbound, lease_to: str | None) -> Handled | None:
        """The turn's transaction. One the database dropped is handled again whole: all of it, the update
        id's record included, was rolled back, and nothing is sent before it commits.
        """
        self.answers.refresh()
        with self.db.session() as session:
            if inbound.update_id is not None and not self.chats.first_delivery(session, inbound):
                return None
            user = self.chats.user(session, inbound)
            conversation = self.chats.conversation(session, user)
            turn = Turn(session, user, conversation, inbound, clean(inbound.text), self.clock.now())
            pace = self.tickets.limits.pace(session, user.id or 0, inbound.identity, turn.now)
            if pace.allowed:
                self._dispatch(turn)
            elif pace.tell:
                self._slow_down(turn, pace.until)
            caps = self.capabilities_of(inbound)
            fitted = fit(turn.replies, caps)
            if pace.allowed and not caps.has_buttons:  # the numbers of choices listed before are stale now
                turn.memo.typed_choices = list(fitted.typed)
            turn.memo.keep(conversation)
            conversation.updated_at = turn.now
            session.add(conversation)
            return queue_replies(session, self.tickets.outbox, inbound, user.id, fitted.replies, lease_to, caps=caps)

    def capabilities_of(self, inbound: Inbound) -> Capabilities:
        """What the channel the message came from can hold; a channel no plugin declares holds anything."""
        return self.capabilities.get(inbound.identity.channel, UNLIMITED)

    # ---- routing ----------------------------------------------------------------------------------

    def _dispatch(self, turn: Turn) -> None:
        first_route(self.routes, turn).handle(turn)

    def _slow_down(self, turn: Turn, until: datetime | None) -> None:
        """The first message over the limit is answered, once, with when to write again; the rest of the
        window is quiet, and what was sent in it is not read (an intake answer is to be sent again)."""
        turn.say(
            "errors/slow_down.j2",
            until=iso(until),
            limit=self.settings.user_messages_per_minute,
            in_intake=turn.conversation.mode == Mode.INTAKE,
        )

    def _too_long(self, turn: Turn) -> bool:
        return len(turn.text) > self.intake.message_limit(turn)

    def _refuse_too_long(self, turn: Turn) -> None:
        limit = self.intake.message_limit(turn)
        in_parts = turn.conversation.mode != Mode.INTAKE or self.intake.in_parts(turn)
        turn.say("errors/too_long.j2", length=len(turn.text), limit=limit, in_parts=in_parts)
        self._remind_where(turn)

    def _on_button(self, turn: Turn) -> None:
        turn.memo.next_text = None  # the user moved on; "Talk to a person" asks again
        self._button(turn, turn.inbound.payload or "")

    def _typed_choice(self, turn: Turn) -> bool:
        return not turn.inbound.attachments and typed_choice(turn.text, turn.memo.typed_choices) is not None

    def _on_typed_choice(self, turn: Turn) -> None:
        """A listed choice's number, where there are no buttons, is the tap of that button."""
        payload = typed_choice(turn.text, turn.memo.typed_choices)
        turn.inbound = replace(turn.inbound, payload=payload, text="")
        turn.text = ""
        self._on_button(turn)

    def _on_command(self, turn: Turn) -> None:
        name, rest = command_of(turn.text) or ("", "")
        if name != "/cancel":
            turn.memo.next_text = None  # the user moved on; /human asks again
        self._command(turn, name, rest)

    def _on_empty(self, turn: Turn) -> None:
        turn.say("errors/empty.j2")
        self._remind_where(turn)

    def _answers_what_was_asked(self, turn: Turn) -> bool:
        return turn.memo.next_text is not None and bool(turn.text) and not turn.inbound.attachments

    def _on_asked_text(self, turn: Turn) -> None:
        asked, turn.memo.next_text = turn.memo.next_text, None
        if asked == NextText.FOR_A_PERSON:
            self._open_question(turn, turn.text)
        else:
            self.answers.answer(turn, turn.text)
        self._remind_where(turn)

    def _on_intake(self, turn: Turn) -> None:
        turn.memo.next_text = None  # files instead of the text asked for: the question is dropped
        if turn.inbound.attachments:
            self.intake.on_files(turn, turn.inbound.attachments, caption=turn.text)
        else:
            self.intake.on_text(turn, turn.text)

    def _idle(self, turn: Turn) -> None:
        turn.memo.next_text = None  # files instead of the text asked for: the question is dropped
        conversation = turn.conversation
        open_tickets = self.tickets.open_tickets_of(turn.session, turn.user.id or 0)
        waiting = next((ticket for ticket in open_tickets if ticket.status == "awaiting_user"), None)
        if waiting is not None:
            self._add_to_ticket(turn, waiting)
            return
        if conversation.mode == Mode.ADDING and open_tickets:
            conversation.mode = Mode.IDLE
            self._add_to_ticket(turn, open_tickets[-1])
            return
        replied = self.tickets.replied_to(turn.session, open_tickets)
        if replied is not None:
            self._add_to_ticket(turn, replied)
            return
        conversation.mode = Mode.IDLE
        appeal = next((ticket for ticket in open_tickets if ticket.kind == "appeal"), None)
        if turn.inbound.attachments:
            if appeal is not None:
                self._add_to_ticket(turn, appeal)
            else:
                turn.add(Reply("idle/files_without_appeal.j2", {}, START_BUTTONS))
            return
        if GREETINGS.match(turn.text):
            self._welcome(turn)
            return
        if THANKS.match(turn.text):
            turn.say("idle/thanks.j2")
            return
        word = turn.text.lower().strip(" ?!.")
        if word in WORD_COMMANDS:
            self._command(turn, WORD_COMMANDS[word], "")
            return
        if appeal is not None and not looks_like_question(turn.text):
            self._add_to_ticket(turn, appeal)
            return
        if appeal is None and reports_suspension(turn.text):
            if looks_like_question(turn.text):
                self.answers.answer(turn, turn.text, confident_only=True)
            turn.memo.asked(turn.text)
            turn.memo.comforted = True
            turn.add(Reply("idle/offer_appeal.j2", {}, START_BUTTONS))
            return
        self.answers.answer(turn, turn.text)

    # ---- commands -----------------------------------------------------------------------------------

    def _command(self, turn: Turn, name: str, rest: str) -> None:
        command = self.commands.get(name) or self.admin_commands.get(name)
        if command is not None:
            command(turn, rest)
        else:
            self._unknown_command(turn, name)

    def _unknown_command(self, turn: Turn, name: str) -> None:
        turn.say("errors/unknown_command.j2", command=name[:40])
        self._remind_where(turn)

    def _start(self, turn: Turn, _rest: str) -> None:
        if turn.conversation.mode == Mode.INTAKE:
            self.intake.resume(turn)
        else:
            self._welcome(turn)

    def _help(self, turn: Turn, _rest: str) -> None:
        turn.say("idle/help.j2", in_intake=turn.conversation.mode == Mode.INTAKE)
        self._remind_where(turn)

    def _appeal_command(self, turn: Turn, _rest: str) -> None:
        self._appeal(turn)

    def _status_command(self, turn: Turn, _rest: str) -> None:
        self._status(turn)
        self._remind_where(turn)

    def _back(self, turn: Turn, _rest: str) -> None:
        if turn.conversation.mode == Mode.INTAKE:
            self.intake.on_text(turn, "back")
        else:
            self._unknown_command(turn, "/back")

    def _ask(self, turn: Turn, rest: str) -> None:
        if rest:
            self.answers.answer(turn, rest)
            self._remind_where(turn)
        else:
            turn.say("idle/ask_usage.j2")

    def _welcome(self, turn: Turn) -> None:
        turn.add(Reply("idle/welcome.j2", {}, START_BUTTONS))

    def _appeal(self, turn: Turn) -> None:
        if turn.conversation.mode == Mode.INTAKE:
            turn.say("intake/already_started.j2")
            self.intake.resume(turn)
            return
        appeal = next(
            (
                ticket
                for ticket in self.tickets.open_tickets_of(turn.session, turn.user.id or 0)
                if ticket.kind == "appeal"
            ),
            None,
        )
        if appeal is not None:
            turn.add(
                Reply(
                    "idle/appeal_open.j2",
                    self._ticket_context(turn.session, appeal),
                    ((Button("go.add", "go:add"), Button("go.status", "go:status")),),
                )
            )
            return
        self.intake.start(turn)

    def _cancel(self, turn: Turn) -> None:
        conversation = turn.conversation
        asked, turn.memo.next_text = turn.memo.next_text, None
        if asked:
            turn.say("idle/cancelled.j2")
            self._remind_where(turn)
        elif conversation.mode == Mode.INTAKE:
            self.intake.cancel(turn)
        elif conversation.mode == Mode.ADDING:
            conversation.mode = Mode.IDLE
            turn.say("idle/cancelled.j2")
        else:
            turn.say("idle/nothing_to_cancel.j2")

    def _status(self, turn: Turn) -> None:
        tickets = self.tickets.tickets_of(turn.session, turn.user.id or 0)
        items = [self._ticket_context(turn.session, ticket) for ticket in tickets]
        turn.say("idle/status.j2", tickets=items)

    def _ticket_context(self, session: Session, ticket: Ticket) -> dict[str, Any]:
        return {
            "reference": ticket.reference,
            "kind": ticket.kind,
            "status": ticket.status,
            "outcome": ticket.outcome,
            "position": self.tickets.queue_position(session, ticket),
            "next_update_by": iso(next_update_by(ticket, self.settings)),
            "paused": ticket.waiting_since is not None,
            "hours_left": hours_left(ticket),
            "question": ticket.pending_question,
            "escalated": ticket.escalation_level > 0,
            "supervised": bool(self.settings.supervisors),
        }

    # ---- buttons ------------------------------------------------------------------------------------

    def _button(self, turn: Turn, raw: str) -> None:
        payload = payloads.parse(raw)
        conversation = turn.conversation
        if payload is None:
            turn.say("errors/stale_button.j2")
            self._remind_where(turn)
            return
        if payload.scope == "step":
            if conversation.mode != Mode.INTAKE or payload.version != conversation.version:
                turn.say("errors/stale_button.j2")
                self._remind_where(turn)
                return
            self.intake.on_action(turn, payload.action)
        elif payload.scope == "kb":
            self.answers.show_entry(turn, payload.action)
        elif payload.scope == "fb":
            self.answers.feedback(turn, payload.action)
        else:
            self._go(turn, payload.action)

    def _go(self, turn: Turn, action: str) -> None:
        handler, remind = self.go_buttons.get(action, (self._stale_button, True))
        handler(turn)
        if remind:
            self._remind_where(turn)

    def _stale_button(self, turn: Turn) -> None:
        turn.say("errors/stale_button.j2")

    def _ask_prompt(self, turn: Turn) -> None:
        turn.memo.next_text = NextText.RULE_QUESTION
        turn.say("idle/ask_prompt.j2")

    # ---- people and tickets -------------------------------------------------------------------------

    def _human(self, turn: Turn, question: str) -> None:
        """`/human TEXT` passes TEXT on; a bare `/human` asks for the question (offering the last one asked)."""
        if question:
            self._open_question(turn, question)
            self._remind_where(turn)
            return
        turn.memo.next_text = NextText.FOR_A_PERSON
        earlier = turn.memo.last_question or ""
        buttons = ((Button("go.human_last", "go:human_last"),),) if earlier else ()
        turn.add(Reply("idle/human_prompt.j2", {"earlier": earlier}, buttons, expects="text"))

    def _send_last_question(self, turn: Turn) -> None:
        """The user chose to pass on the rule question they asked just before."""
        question = turn.memo.last_question or ""
        if not question:
            turn.say("errors/stale_button.j2")
            return
        turn.memo.next_text = None
        self._open_question(turn, question)

    def _open_question(self, turn: Turn, question: str) -> None:
        existing = next(
            (
                ticket
                for ticket in self.tickets.open_tickets_of(turn.session, turn.user.id or 0)
                if ticket.kind == "question" and (ticket.answers.get("question") or {}).get("value") == question
            ),
            None,
        )
        ticket = existing or self.tickets.open_ticket(
            turn.session,
            turn.user,
            "question",
            {"question": {"value": question, "at": turn.now.isoformat()}},
            suggested_entries=self.answers.suggest(question),
        )
        turn.memo.last_question = None
        person_asked(turn)
        turn.say(
            "idle/question_opened.j2",
            reference=ticket.reference,
            due=ticket.first_response_due.isoformat(),
            already=existing is not None,
        )

    def _start_adding(self, turn: Turn) -> None:
        open_tickets = self.tickets.open_tickets_of(turn.session, turn.user.id or 0)
        if not open_tickets:
            turn.add(Reply("idle/no_open_appeal.j2", {}, START_BUTTONS))
            return
        turn.conversation.mode = Mode.ADDING
        turn.say("idle/add_prompt.j2", reference=open_tickets[-1].reference)

    def _add_to_ticket(self, turn: Turn, ticket: Ticket) -> None:
        seen = self.evidence.digests_of_ticket(turn.session, ticket.id or 0)
        received = self.evidence.accept_all(
            turn.session, turn.user.id or 0, turn.inbound.attachments, "user_reply", seen, ticket.id
        )
        if turn.text or received.accepted:
            answered = self.tickets.add_from_user(turn.session, ticket, turn.user, turn.text, received.accepted)
        else:
            answered = False
        turn.say(
            "idle/added_to_ticket.j2",
            reference=ticket.reference,
            kind=ticket.kind,
            answered=answered,
            text=bool(turn.text),
            **received.told(),
            next_update_by=iso(next_update_by(ticket, self.settings)),
            decide_by=iso(ticket.resolution_due),
            max_mb=self.evidence.max_mb,
            max_files=self.evidence.max_files,
        )

    def _remind_where(self, turn: Turn) -> None:
        """After a detour, show the intake question again so the user is never lost."""
        if turn.conversation.mode == Mode.INTAKE:
            self.intake.resume(turn)

    def _suggest(self, answers: dict[str, Any]) -> list[str]:
        parts = [str((answers.get(key) or {}).get("value") or "") for key in ("explanation", "notice_text")]
        return self.answers.suggest(" ".join(part for part in parts if part and part != "none"))
