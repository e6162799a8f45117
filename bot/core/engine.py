"""The conversation engine: one inbound message in, the replies out, state kept in the database.

Every update is handled in one transaction: the dedupe record, the state change, the tickets and
the queued notifications commit together or not at all, so a crash never half-handles a message
and a redelivered update changes nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.config import Settings
from bot.core import payloads
from bot.core.answers import RuleAnswers, reports_suspension
from bot.core.clock import Clock
from bot.core.events import Button, Inbound, Reply
from bot.core.evidence import EvidenceStore, Refusal
from bot.core.intake.flow import IntakeFlow
from bot.core.replies import Handled, queue_replies
from bot.core.sla import hours_left, next_update_by
from bot.core.text import clean, command_of, looks_like_question
from bot.core.tickets.service import TicketService
from bot.core.tickets.views import iso
from bot.core.turn import Turn
from bot.store.db import Database
from bot.store.models import Conversation, Evidence, ProcessedUpdate, Ticket, User

log = logging.getLogger(__name__)
GREETINGS = re.compile(r"^(hi|hello|hey|hallo|hola|good (morning|afternoon|evening)|start|menu)\W*$", re.IGNORECASE)
THANKS = re.compile(
    r"^(thanks?( you)?|thx|ty|thank u|ok(ay)?|cool|great|got it|bye)\W*( ?(a lot|so much|bro))?\W*$", re.IGNORECASE
)
# Where a platform reserves slash commands for itself, the bare word works too.
WORD_COMMANDS = {"help": "/help", "status": "/status", "my appeals": "/status", "human": "/human", "appeal": "/appeal"}
START_BUTTONS = ((Button("go.appeal", "go:appeal", style="primary"), Button("go.ask", "go:ask")),)
# What the user's next message is, after the bot asked for it: a question for a person, or a rule question.
NEXT_TEXT = "next_text"
FOR_A_PERSON = "for_a_person"
RULE_QUESTION = "rule_question"

AdminCommand = Callable[[Turn, str], None]


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
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.tickets = tickets
        self.evidence = evidence
        self.answers = answers
        self.intake = IntakeFlow(
            settings, tickets, evidence, label, answers.answer, partial(answers.answer, confident_only=True), self._suggest
        )
        self.admin_commands: dict[str, AdminCommand] = {}

    def handle(self, inbound: Inbound) -> list[Reply]:
        """Handles one update exactly once and returns the replies it queued for the user."""
        return self.handle_turn(inbound).replies

    def handle_turn(self, inbound: Inbound, lease_to: str | None = None) -> Handled:
        """Handles one update exactly once; a duplicate update id queues and returns no replies.

        The replies are queued in the outbox in the turn's transaction, leased to `lease_to` (the
        channel's sender) so it can send them straight away. If handling fails, nothing of it is
        kept (so a redelivery is handled afresh) and the user still gets an answer that says so.
        """
        try:
            return self._handle(inbound, lease_to)
        except Exception:
            log.exception("handling update %s of %s failed", inbound.update_id, inbound.identity.key)
        with self.db.session() as session:
            user = self._user(session, inbound)
            failed = [Reply("errors/internal.j2")]
            return queue_replies(session, self.tickets.outbox, inbound, user.id, failed, lease_to)

    def _handle(self, inbound: Inbound, lease_to: str | None) -> Handled:
        self.answers.refresh()
        if inbound.attachments:
            inbound = replace(inbound, attachments=self.evidence.prefetch(inbound.attachments))
        with self.db.session() as session:
            if inbound.update_id is not None and not self._first_delivery(session, inbound):
                return Handled([])
            user = self._user(session, inbound)
            conversation = self._conversation(session, user)
            turn = Turn(session, user, conversation, inbound, clean(inbound.text), self.clock.now())
            self._dispatch(turn)
            conversation.updated_at = turn.now
            session.add(conversation)
            return queue_replies(session, self.tickets.outbox, inbound, user.id, turn.replies, lease_to)

    # ---- routing ----------------------------------------------------------------------------------

    def _dispatch(self, turn: Turn) -> None:
        inbound = turn.inbound
        limit = self.intake.message_limit(turn)
        if len(turn.text) > limit:
            in_parts = turn.conversation.mode != "intake" or self.intake.in_parts(turn)
            turn.say("errors/too_long.j2", length=len(turn.text), limit=limit, in_parts=in_parts)
            self._remind_where(turn)
            return
        command = command_of(turn.text)
        if inbound.payload is not None or (command is not None and command[0] != "/cancel"):
            _forget(turn, NEXT_TEXT)  # the user moved on; /human and "Talk to a person" ask again
        if inbound.payload is not None:
            self._button(turn, inbound.payload)
            return
        if command is not None:
            self._command(turn, *command)
            return
        if not turn.text and not inbound.attachments:
            turn.say("errors/empty.j2")
            self._remind_where(turn)
            return
        expected = _forget(turn, NEXT_TEXT)
        if expected and turn.text and not inbound.attachments:
            if expected == FOR_A_PERSON:
                self._open_question(turn, turn.text)
            else:
                self.answers.answer(turn, turn.text)
            self._remind_where(turn)
            return
        mode = turn.conversation.mode
        if mode == "intake":
            if inbound.attachments:
                self.intake.on_files(turn, inbound.attachments, caption=turn.text)
            else:
                self.intake.on_text(turn, turn.text)
            return
        self._idle(turn)

    def _idle(self, turn: Turn) -> None:
        conversation = turn.conversation
        open_tickets = self.tickets.open_tickets_of(turn.session, turn.user.id or 0)
        waiting = next((ticket for ticket in open_tickets if ticket.status == "awaiting_user"), None)
        if waiting is not None:
            self._add_to_ticket(turn, waiting)
            return
        if conversation.mode == "adding" and open_tickets:
            conversation.mode = "idle"
            self._add_to_ticket(turn, open_tickets[-1])
            return
        replied = self.tickets.replied_to(turn.session, open_tickets)
        if replied is not None:
            self._add_to_ticket(turn, replied)
            return
        conversation.mode = "idle"
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
            turn.conversation.memo = {**turn.conversation.memo, "last_question": turn.text[:2000], "comforted": True}
            turn.add(Reply("idle/offer_appeal.j2", {}, START_BUTTONS))
            return
        self.answers.answer(turn, turn.text)

    # ---- commands -----------------------------------------------------------------------------------

    def _command(self, turn: Turn, name: str, rest: str) -> None:
        conversation = turn.conversation
        if name == "/start":
            if conversation.mode == "intake":
                self.intake.resume(turn)
            else:
                self._welcome(turn)
        elif name == "/help":
            turn.say("idle/help.j2", in_intake=conversation.mode == "intake")
            self._remind_where(turn)
        elif name in ("/appeal", "/new"):
            self._appeal(turn)
        elif name == "/status":
            self._status(turn)
            self._remind_where(turn)
        elif name == "/cancel":
            self._cancel(turn)
        elif name == "/back" and conversation.mode == "intake":
            self.intake.on_text(turn, "back")
        elif name == "/ask":
            if rest:
                self.answers.answer(turn, rest)
                self._remind_where(turn)
            else:
                turn.say("idle/ask_usage.j2")
        elif name == "/add":
            self._start_adding(turn)
        elif name == "/human":
            self._human(turn, rest)
        elif name in self.admin_commands:
            self.admin_commands[name](turn, rest)
        else:
            turn.say("errors/unknown_command.j2", command=name[:40])
            self._remind_where(turn)

    def _welcome(self, turn: Turn) -> None:
        turn.add(Reply("idle/welcome.j2", {}, START_BUTTONS))

    def _appeal(self, turn: Turn) -> None:
        if turn.conversation.mode == "intake":
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
        if _forget(turn, NEXT_TEXT):
            turn.say("idle/cancelled.j2")
            self._remind_where(turn)
        elif conversation.mode == "intake":
            self.intake.cancel(turn)
        elif conversation.mode == "adding":
            conversation.mode = "idle"
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
            if conversation.mode != "intake" or payload.version != conversation.version:
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
        if action == "appeal":
            self._appeal(turn)
        elif action == "ask":
            self._expect(turn, RULE_QUESTION)
            turn.say("idle/ask_prompt.j2")
            return
        elif action == "human":
            self._human(turn, "")
            return
        elif action == "human_last":
            self._send_last_question(turn)
        elif action == "status":
            self._status(turn)
        elif action == "add":
            self._start_adding(turn)
        else:
            turn.say("errors/stale_button.j2")
        if action not in ("appeal",):
            self._remind_where(turn)

    # ---- people and tickets -------------------------------------------------------------------------

    def _human(self, turn: Turn, question: str) -> None:
        """`/human TEXT` passes TEXT on; a bare `/human` asks for the question (offering the last one asked)."""
        if question:
            self._open_question(turn, question)
            self._remind_where(turn)
            return
        self._expect(turn, FOR_A_PERSON)
        earlier = str(turn.conversation.memo.get("last_question") or "")
        buttons = ((Button("go.human_last", "go:human_last"),),) if earlier else ()
        turn.add(Reply("idle/human_prompt.j2", {"earlier": earlier}, buttons, expects="text"))

    def _send_last_question(self, turn: Turn) -> None:
        """The user chose to pass on the rule question they asked just before."""
        question = str(turn.conversation.memo.get("last_question") or "")
        if not question:
            turn.say("errors/stale_button.j2")
            return
        _forget(turn, NEXT_TEXT)
        self._open_question(turn, question)

    def _expect(self, turn: Turn, what: str) -> None:
        turn.conversation.memo = {**turn.conversation.memo, NEXT_TEXT: what}

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
        turn.conversation.memo = {key: value for key, value in turn.conversation.memo.items() if key != "last_question"}
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
        turn.conversation.mode = "adding"
        turn.say("idle/add_prompt.j2", reference=open_tickets[-1].reference)

    def _add_to_ticket(self, turn: Turn, ticket: Ticket) -> None:
        accepted: list[Evidence] = []
        refused: list[Refusal] = []
        seen = self.evidence.digests_of_ticket(turn.session, ticket.id or 0)
        for attachment in turn.inbound.attachments:
            result = self.evidence.accept(
                turn.session, turn.user.id or 0, attachment, "user_reply", ticket.id, seen=seen
            )
            (refused if isinstance(result, Refusal) else accepted).append(result)  # type: ignore[arg-type]
        if turn.text or accepted:
            answered = self.tickets.add_from_user(turn.session, ticket, turn.user, turn.text, accepted)
        else:
            answered = False
        turn.say(
            "idle/added_to_ticket.j2",
            reference=ticket.reference,
            kind=ticket.kind,
            answered=answered,
            text=bool(turn.text),
            accepted=[{"name": item.name, "size": item.size} for item in accepted],
            refused=[{"name": item.name, "reason": item.reason} for item in refused],
            next_update_by=iso(next_update_by(ticket, self.settings)),
            decide_by=iso(ticket.resolution_due),
            max_mb=self.evidence.max_mb,
            max_files=self.evidence.max_files,
        )

    def _remind_where(self, turn: Turn) -> None:
        """After a detour, show the intake question again so the user is never lost."""
        if turn.conversation.mode == "intake":
            self.intake.resume(turn)

    def _suggest(self, answers: dict[str, Any]) -> list[str]:
        parts = [str((answers.get(key) or {}).get("value") or "") for key in ("explanation", "notice_text")]
        return self.answers.suggest(" ".join(part for part in parts if part and part != "none"))

    # ---- identity and state ------------------------------------------------------------------------

    def _first_delivery(self, session: Session, inbound: Inbound) -> bool:
        record = ProcessedUpdate(
            channel=inbound.identity.channel, update_id=str(inbound.update_id)[:128], processed_at=self.clock.now()
        )
        try:
            with session.begin_nested():
                session.add(record)
                session.flush()
        except IntegrityError:
            return False
        return True

    def _user(self, session: Session, inbound: Inbound) -> User:
        identity = inbound.identity
        user = session.exec(
            select(User).where(User.channel == identity.channel, User.platform_user_id == identity.user_id)
        ).first()
        if user is None:
            user = User(
                channel=identity.channel,
                platform_user_id=identity.user_id,
                chat_id=identity.chat_id,
                display_name=inbound.display_name,
                created_at=self.clock.now(),
            )
            try:
                with session.begin_nested():
                    session.add(user)
                    session.flush()
            except IntegrityError:
                user = session.exec(
                    select(User).where(User.channel == identity.channel, User.platform_user_id == identity.user_id)
                ).one()
        changed = user.chat_id != identity.chat_id or (
            inbound.display_name and user.display_name != inbound.display_name
        )
        if changed or user.undeliverable_at is not None:
            user.chat_id = identity.chat_id
            user.display_name = inbound.display_name or user.display_name
            user.undeliverable_at = None
            session.add(user)
        return user

    def _conversation(self, session: Session, user: User) -> Conversation:
        """The user's conversation, locked for this transaction so two workers never interleave."""
        query = select(Conversation).where(Conversation.user_id == user.id).with_for_update()
        conversation = session.exec(query).first()
        if conversation is None:
            conversation = Conversation(user_id=user.id or 0, updated_at=self.clock.now())
            try:
                with session.begin_nested():
                    session.add(conversation)
                    session.flush()
            except IntegrityError:
                conversation = session.exec(query).one()
        return conversation


def _forget(turn: Turn, key: str) -> Any:
    """Removes one key from the conversation's memo, returning its value."""
    memo = dict(turn.conversation.memo)
    value = memo.pop(key, None)
    turn.conversation.memo = memo
    return value
