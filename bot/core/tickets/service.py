"""The ticket service: opening tickets from the conversation, and every agent action on them.

Each agent action is one transaction that changes the ticket, writes the audit event and queues
the notifications (to the user, and the updated card to every agents' destination) together.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.core import log_context
from bot.core.accounts import holders
from bot.core.clock import Clock
from bot.core.decision_webhook import WEBHOOK_KIND, decision_call
from bot.core.evidence import EvidenceStore, IntegrityFailed
from bot.core.limits import AbuseLimits
from bot.core.outbox import Notification, Outbound, Outbox
from bot.core.platform.records import owner_status
from bot.core.sla import next_update_by, pause, resume
from bot.core.tickets.actions import AgentAction, permit
from bot.core.tickets.actors import CLI, CONSOLE, SYSTEM, Actor, require_agent
from bot.core.tickets.agent_view import AgentCardView
from bot.core.tickets.appeal_again import appeal_again_from
from bot.core.tickets.browse import QueuePage, QueueQuery, browse
from bot.core.tickets.changes import latest_change
from bot.core.tickets.checklist import build_checklist
from bot.core.tickets.files import REFUSED, FileCopy, FileUse
from bot.core.tickets.lifecycle import OPEN_STATUSES, Refused, target_status
from bot.core.tickets.queue import statuses_for, subject, without_personal
from bot.core.tickets.resolution import ResolutionDraft, Step
from bot.core.tickets.second_reviewer import CODE, own_case
from bot.core.tickets.views import EventRow, event_row, iso, queue_position, ticket_summary, ticket_view
from bot.store.db import Database
from bot.store.models import Evidence, Ticket, TicketEvent, User

log = logging.getLogger(__name__)
# The note on an appeal for an account that the platform's link code proved belongs to another chat identity.
OWNER_ELSEWHERE = (
    "Held for an agent: the platform's verified owner of this account is another chat identity. "
    "Check that this requester is the owner (or acts for them) before sharing anything about the account "
    "or deciding; the requester was asked to link the account with a code from the platform."
)


def canonical_sha256(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def reference_for(ticket: Ticket) -> str:
    return f"AD-{ticket.created_at.year}-{ticket.id:06d}"


class TicketService:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        clock: Clock,
        outbox: Outbox,
        agent_destinations: Sequence[tuple[str, str]],
        hidden: Callable[[str], str],
        evidence: EvidenceStore,
    ) -> None:
        """`hidden(channel)` is what stands for redacted personal data in that channel's agents' chat."""
        self.evidence = evidence
        self.db = db
        self.settings = settings
        self.clock = clock
        self.outbox = outbox
        self.agent_destinations = list(agent_destinations)
        self.hidden = hidden
        self.limits = AbuseLimits(settings)

    # ---- opening, from inside the conversation's transaction -------------------------------------

    def open_ticket(
        self,
        session: Session,
        user: User,
        kind: str,
        answers: dict[str, Any],
        account_key: str | None = None,
        evidence_ids: Sequence[int] = (),
        suggested_entries: Sequence[str] = (),
    ) -> Ticket:
        """Opens an appeal or question ticket; Refused('open_appeal_exists') if the requester has one already."""
        now = self.clock.now()
        checklist = build_checklist(answers, len(evidence_ids)) if kind == "appeal" else []
        if account_key and self.others_appealing(session, account_key, user.id or 0):
            checklist.append("checklist.other_open_appeal")
        owner_elsewhere = kind == "appeal" and owner_status(session, account_key, user.id or 0) == "verified_elsewhere"
        if owner_elsewhere:
            checklist.append("checklist.owner_elsewhere")
        ticket = Ticket(
            kind=kind,
            user_id=user.id or 0,
            account_key=account_key,
            answers=answers,
            answers_sha256=canonical_sha256(answers),
            checklist=checklist,
            suggested_entries=list(suggested_entries),
            created_at=now,
            updated_at=now,
            first_response_due=now + self.settings.first_response,
            resolution_due=now + self.settings.resolution,
            last_user_update_at=now,
        )
        try:
            with session.begin_nested():
                session.add(ticket)
                session.flush()
        except IntegrityError as error:
            raise Refused("open_appeal_exists", {"account": account_key}) from error
        ticket.reference = reference_for(ticket)
        for evidence_id in evidence_ids:
            evidence = session.get(Evidence, evidence_id)
            if evidence is not None and evidence.user_id == user.id:
                evidence.ticket_id = ticket.id
                session.add(evidence)
        session.add(ticket)
        self._record(session, ticket, Actor("user", user.platform_user_id, user.display_name), "opened", None, "new")
        if owner_elsewhere:
            self._record(session, ticket, SYSTEM, "note", None, None, internal=OWNER_ELSEWHERE, notify_agents=False)
        return ticket

    def open_appeal_for_account(self, session: Session, account_key: str, user_id: int) -> Ticket | None:
        """The requester's own open appeal for this account, if any (one at a time)."""
        return session.exec(
            select(Ticket).where(
                Ticket.kind == "appeal",
                Ticket.account_key == account_key,
                Ticket.user_id == user_id,
                col(Ticket.status).in_(OPEN_STATUSES),
            )
        ).first()

    def others_appealing(self, session: Session, account_key: str, user_id: int) -> bool:
        """Whether someone else has an open appeal for the same account: agents should look twice.

        The user is never told, so nobody can learn from the bot whose account is under appeal.
        """
        return (
            session.exec(
                select(Ticket.id).where(
                    Ticket.kind == "appeal",
                    Ticket.account_key == account_key,
                    Ticket.user_id != user_id,
                    col(Ticket.status).in_(OPEN_STATUSES),
                )
            ).first()
            is not None
        )

    def open_tickets_of(self, session: Session, user_id: int) -> list[Ticket]:
        return list(
            session.exec(
                select(Ticket)
                .where(Ticket.user_id == user_id, col(Ticket.status).in_(OPEN_STATUSES))
                .order_by(col(Ticket.id))
            )
        )

    def tickets_of(self, session: Session, user_id: int, limit: int = 10) -> list[Ticket]:
        return list(
            session.exec(select(Ticket).where(Ticket.user_id == user_id).order_by(col(Ticket.id).desc()).limit(limit))
        )

    def add_from_user(
        self, session: Session, ticket: Ticket, user: User, text: str, evidence: Sequence[Evidence]
    ) -> bool:
        """Attaches what the user sent; if the ticket was waiting for them, it goes back to review."""
        for item in evidence:
            item.ticket_id = ticket.id
            session.add(item)
        answering = ticket.status == "awaiting_user"
        data: dict[str, Any] = {"files": [item.id for item in evidence], "sha256": canonical_sha256({"text": text})}
        actor = Actor("user", user.platform_user_id, user.display_name)
        if answering:
            ticket.status = target_status("user_reply", ticket.status)
            ticket.pending_question = None
            data["waited_seconds"] = resume(ticket, self.clock.now()).total_seconds()
            self._record(session, ticket, actor, "user_reply", "awaiting_user", "in_review", public=text, data=data)
        else:
            self._record(session, ticket, actor, "user_added", ticket.status, ticket.status, public=text, data=data)
        return answering

    def queue_position(self, session: Session, ticket: Ticket) -> int:
        return queue_position(session, ticket)

    # ---- agent actions ---------------------------------------------------------------------------

    def claim(self, reference: str, actor: Actor, force: bool = False) -> dict[str, Any]:
        self._not_own_case(reference, actor, AgentAction.CLAIM)
        with self.db.session() as session:
            ticket = self._for_agent(session, reference, actor)
            if ticket.assignee == actor.label and ticket.status in ("in_review", "awaiting_user"):
                return ticket_view(session, ticket, self.settings)  # pressing Claim twice changes nothing
            before = ticket.status
            action = "claim" if ticket.status == "new" else "reassign"
            ticket.status = permit(ticket, reference, actor, AgentAction.CLAIM, force)
            ticket.assignee = actor.label
            first = ticket.first_response_at is None
            if first:
                ticket.first_response_at = self.clock.now()
            event = self._record(session, ticket, actor, action, before, ticket.status)
            if first:
                self._tell_user(session, ticket, event, "notify/claimed.j2")
            return ticket_view(session, ticket, self.settings)

    def reassign(self, reference: str, actor: Actor, holder: str) -> dict[str, Any]:
        """A supervisor hands a ticket in review to another console account (`holder`, an active one).

        The status and the response clocks stay; the user is not told, since the promise is the desk's,
        not one agent's. The agents' chats get the card with its new holder and an alert naming them.
        """
        with self.db.session() as session:
            ticket = self._for_agent(session, reference, actor)
            permit(ticket, reference, actor, AgentAction.REASSIGN)
            if holder not in holders(session):
                raise Refused("no_such_holder", {"reference": reference, "holder": holder})
            refused = own_case(session, ticket, Actor(CONSOLE, holder, holder))
            if refused is not None:
                raise refused
            new = Actor(CONSOLE, holder, holder).label
            if ticket.assignee == new:
                raise Refused("holds_already", {"reference": reference, "assignee": new})
            previous = ticket.assignee
            ticket.assignee = new
            data = {"from": previous, "to": new}
            event = self._record(session, ticket, actor, "reassign", ticket.status, ticket.status, data=data)
            context = {"holder": new, "previous": previous, "by": actor.label}
            self.alert_agents(session, ticket, f"reassign:{ticket.id}:{event.id}", "agents/reassigned.j2", context)
            return ticket_view(session, ticket, self.settings)

    def request_info(self, reference: str, actor: Actor, message: str) -> dict[str, Any]:
        message = message.strip()
        if len(message) < 5:
            raise Refused("question_missing")
        with self.db.session() as session:
            ticket = self._for_agent(session, reference, actor)
            before = ticket.status
            ticket.status = permit(ticket, reference, actor, AgentAction.REQUEST_INFO)
            ticket.assignee = ticket.assignee or actor.label
            ticket.pending_question = message
            ticket.first_response_at = ticket.first_response_at or self.clock.now()
            pause(ticket, self.clock.now())
            event = self._record(session, ticket, actor, "request_info", before, ticket.status, public=message)
            self._tell_user(session, ticket, event, "notify/info_requested.j2", {"question": message})
            return ticket_view(session, ticket, self.settings)

    def reply(self, reference: str, actor: Actor, message: str) -> dict[str, Any]:
        """A public message to the user that keeps the ticket where it is; their answers join the ticket."""
        message = message.strip()
        if not message:
            raise Refused("reply_missing")
        with self.db.session() as session:
            ticket = self._for_agent(session, reference, actor)
            permit(ticket, reference, actor, AgentAction.REPLY)
            ticket.first_response_at = ticket.first_response_at or self.clock.now()
            event = self._record(session, ticket, actor, "reply", ticket.status, ticket.status, public=message)
            self._tell_user(session, ticket, event, "notify/agent_reply.j2", {"message": message})
            return ticket_view(session, ticket, self.settings)

    def replied_to(self, session: Session, tickets: Sequence[Ticket]) -> Ticket | None:
        """Of the user's open tickets, the one an agent last replied on: the user's messages continue it."""
        ids = [ticket.id for ticket in tickets]
        if not ids:
            return None
        ticket_id = session.exec(
            select(TicketEvent.ticket_id)
            .where(col(TicketEvent.ticket_id).in_(ids), TicketEvent.action == "reply")
            .order_by(col(TicketEvent.id).desc())
        ).first()
        return next((ticket for ticket in tickets if ticket.id == ticket_id), None)

    def note(self, reference: str, actor: Actor, text: str) -> dict[str, Any]:
        if not text.strip():
            raise Refused("note_missing")
        with self.db.session() as session:
            ticket = self._for_agent(session, reference, actor)
            permit(ticket, reference, actor, AgentAction.NOTE)
            self._record(session, ticket, actor, "note", ticket.status, ticket.status, internal=text.strip())
            return ticket_view(session, ticket, self.settings)

    def resolve(
        self,
        reference: str,
        actor: Actor,
        outcome: str,
        reason: str | None,
        message: str,
        facts: str | None = None,
        may_appeal_again: bool | None = None,
        appeal_again_after: str | None = None,
        internal_note: str | None = None,
    ) -> dict[str, Any]:
        """A decision given all at once (the command line, a form): the steps of a `ResolutionDraft`.

        A decision always carries its reasons: outcome, category, a public explanation and, for an
        appeal, the facts it relied on. A question needs only the answer: it ends `answered`, for
        the reason `question-answered`, when the caller leaves them out. `appeal_again_after` is the
        date as the agent typed it ("2027-03-01", "in 30 days", "now").
        """
        answers: dict[Step, str | bool | None] = {
            Step.OUTCOME: outcome,
            Step.REASON: reason,
            Step.EXPLANATION: message,
            Step.FACTS: facts,
            Step.APPEAL_AGAIN: may_appeal_again,
            Step.APPEAL_AFTER: appeal_again_after,
        }
        return self._decide(reference, actor, answers, internal_note)

    def decide(
        self, reference: str, actor: Actor, draft: ResolutionDraft, internal_note: str | None = None
    ) -> dict[str, Any]:
        """Resolves the ticket as the agent's draft says, checked again against the ticket's kind."""
        return self._decide(reference, actor, draft.answers(), internal_note)

    def _decide(
        self,
        reference: str,
        actor: Actor,
        answers: Mapping[Step, str | bool | None],
        internal_note: str | None,
    ) -> dict[str, Any]:
        self._not_own_case(reference, actor, AgentAction.RESOLVE)
        with self.db.session() as session:
            ticket = self._for_agent(session, reference, actor)
            draft = ResolutionDraft(kind=ticket.kind).fill(answers)
            again_from = (
                appeal_again_from(draft.appeal_again_after, self.clock.now()) if draft.may_appeal_again else None
            )
            before = ticket.status
            ticket.status = permit(ticket, reference, actor, AgentAction.RESOLVE)
            ticket.outcome = draft.outcome
            ticket.reason_category = draft.reason
            ticket.public_explanation = draft.explanation
            ticket.facts = draft.facts
            ticket.may_appeal_again = draft.may_appeal_again
            ticket.appeal_again_after = again_from
            ticket.resolved_at = self.clock.now()
            ticket.pending_question = None
            resume(ticket, ticket.resolved_at)
            ticket.assignee = ticket.assignee or actor.label
            event = self._record(
                session,
                ticket,
                actor,
                "resolve",
                before,
                "resolved",
                public=draft.explanation,
                internal=internal_note,
                data={"outcome": draft.outcome, "reason": draft.reason, "facts": draft.facts or ""},
            )
            self._tell_user(session, ticket, event, "notify/resolved.j2")
            if ticket.kind == "appeal" and self.settings.platform_webhook_url:
                self.outbox.enqueue(session, decision_call(ticket, event, reference_for(ticket)))
            return ticket_view(session, ticket, self.settings)

    def reopen(self, reference: str, actor: Actor, message: str | None = None) -> dict[str, Any]:
        with self.db.session() as session:
            ticket = self._for_agent(session, reference, actor)
            before = ticket.status
            after = permit(ticket, reference, actor, AgentAction.REOPEN)
            if ticket.kind == "appeal" and ticket.account_key:
                other = self.open_appeal_for_account(session, ticket.account_key, ticket.user_id)
                if other is not None and other.id != ticket.id:
                    raise Refused("open_appeal_exists", {"account": ticket.account_key, "reference": other.reference})
            ticket.status = after
            for decided in ("outcome", "reason_category", "facts", "public_explanation", "may_appeal_again"):
                setattr(ticket, decided, None)
            ticket.appeal_again_after = ticket.resolved_at = ticket.escalated_at = None
            ticket.escalation_level = 0
            now = self.clock.now()
            ticket.resolution_due = now + self.settings.resolution
            event = self._record(session, ticket, actor, "reopen", before, ticket.status, public=message)
            self._tell_user(session, ticket, event, "notify/reopened.j2", {"message": message})
            return ticket_view(session, ticket, self.settings)

    def show(self, reference: str, actor: Actor) -> dict[str, Any]:
        """An agent reads a ticket; the view is logged, since it shows personal data."""
        with self.db.session() as session:
            ticket = self._for_agent(session, reference, actor)
            permit(ticket, reference, actor, AgentAction.DETAILS)
            self._record(session, ticket, actor, "viewed", ticket.status, ticket.status, notify_agents=False)
            return ticket_view(session, ticket, self.settings)

    def download(self, reference: str, evidence_id: int, actor: Actor, use: FileUse = FileUse.DOWNLOADED) -> FileCopy:
        """Hands an evidence file to an agent once its bytes match the recorded sha256, logging who looked.

        Bytes that do not match (or are gone) are never handed over: the attempt is an audit event, the
        agents' chats are alerted once per file, and the refusal says why."""
        with self.db.session() as session:
            ticket = self._for_agent(session, reference, actor)
            evidence = session.get(Evidence, evidence_id)
            if evidence is None or evidence.ticket_id != ticket.id:
                raise Refused("no_such_file", {"reference": reference, "file": evidence_id})
            if evidence.purged_at is not None:
                purged = {"reference": reference, "file": evidence_id, "purged_at": iso(evidence.purged_at)}
                raise Refused("file_purged", purged)
            record = {"file": evidence_id, "sha256": evidence.sha256}
            try:
                data = self.evidence.read(evidence)
            except IntegrityFailed as failed:
                log.error("evidence %s of %s refused: %s", evidence_id, ticket.reference, failed.reason)
                self._record(
                    session, ticket, actor, REFUSED, ticket.status, ticket.status,
                    data={**record, "reason": failed.reason, "use": use.value}, notify_agents=False,
                )
                context = {"file": evidence.name, "reason": failed.reason, "actor": actor.label}
                self.alert_agents(session, ticket, f"{REFUSED}:{evidence_id}", "agents/file_refused.j2", context)
                refusal = Refused(REFUSED, {"reference": ticket.reference, "file": evidence.name})
            else:
                self._record(session, ticket, actor, use.value, ticket.status, ticket.status, data=record, notify_agents=False)
                return FileCopy(evidence, data)
        raise refusal

    def list(
        self,
        actor: Actor,
        wanted: str = "open",
        personal: bool = False,
        placeholder: str = "",
        escalated: bool = False,
        limit: int = 200,
    ) -> list[dict[str, Any]]:
        """The queue, oldest first. With `personal`, everything, and each listed ticket logs the view;
        `escalated` keeps the tickets that missed a response target (what supervisors watch)."""
        require_agent(actor, self.settings)
        statuses = statuses_for(wanted)
        with self.db.session() as session:
            query = select(Ticket).where(col(Ticket.status).in_(statuses)).order_by(col(Ticket.id)).limit(limit)
            if escalated:
                query = query.where(Ticket.escalation_level > 0)
            views = []
            for ticket in session.exec(query):
                if personal:
                    self._record(session, ticket, actor, "listed", ticket.status, ticket.status, notify_agents=False)
                views.append(self._listed(session, ticket, personal, placeholder))
            return views

    def browse(self, actor: Actor, query: QueueQuery, placeholder: str) -> tuple[Sequence[dict[str, Any]], QueuePage]:
        """A page of the console's queue, the first due at the top, as cards show tickets (no personal data)."""
        require_agent(actor, self.settings)
        with self.db.session() as session:
            page = browse(session, query, actor.label, self.clock.now())
            return [self._listed(session, ticket, False, placeholder) for ticket in page.tickets], page

    def latest_change(self, actor: Actor, reference: str | None = None) -> dict[str, Any] | None:
        """The newest change of one ticket (by reference) or of any: what a live page watches."""
        require_agent(actor, self.settings)
        with self.db.session() as session:
            if reference is None:
                return latest_change(session)
            ticket = session.exec(select(Ticket).where(Ticket.reference == reference.strip().upper())).first()
            if ticket is None:
                raise Refused("no_such_ticket", {"reference": reference})
            return latest_change(session, ticket.id)

    def glance(self, reference: str, actor: Actor, placeholder: str) -> dict[str, Any]:
        """A ticket with its history as its card shows it: personal data hidden, so the view is not logged."""
        with self.db.session() as session:
            ticket = self._for_agent(session, reference, actor)
            return self._listed(session, ticket, False, placeholder, with_events=True)

    def _listed(
        self, session: Session, ticket: Ticket, personal: bool, placeholder: str, with_events: bool = False
    ) -> dict[str, Any]:
        view = {
            **ticket_view(session, ticket, self.settings, with_events=with_events),
            "subject": subject(ticket.answers),
        }
        return view if personal else without_personal(view, ticket.answers, placeholder)

    # ---- shared machinery ------------------------------------------------------------------------

    def _not_own_case(self, reference: str, actor: Actor, action: AgentAction) -> None:
        """Refuses an agent's review of an appeal against their own action on the platform. The attempt
        is kept where supervisors see it, in a transaction of its own: the refusal undoes the action's."""
        with self.db.session() as session:
            ticket = self.find(session, reference)
            refused = own_case(session, ticket, actor) if ticket is not None else None
            if ticket is None or refused is None:
                return
            data = {"who": actor.label, "action": action.value}
            event = self._record(
                session, ticket, actor, CODE, ticket.status, ticket.status, data=data, notify_agents=False
            )
            key = f"second-reviewer:{ticket.id}:{event.id}"
            self.alert_supervisors(session, ticket, key, "agents/supervisor_second_reviewer.j2", **data)
        raise refused

    def find(self, session: Session, reference: str) -> Ticket | None:
        reference = reference.strip().upper()
        return session.exec(select(Ticket).where(Ticket.reference == reference).with_for_update()).first()

    def _for_agent(self, session: Session, reference: str, actor: Actor) -> Ticket:
        require_agent(actor, self.settings)
        ticket = self.find(session, reference)
        if ticket is None:
            raise Refused("no_such_ticket", {"reference": reference})
        return ticket

    def record(
        self,
        session: Session,
        ticket: Ticket,
        actor: Actor,
        action: str,
        public: str | None = None,
        internal: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> TicketEvent:
        """An event that changes no status (escalation, undeliverable), with the card refreshed."""
        return self._record(session, ticket, actor, action, ticket.status, ticket.status, public, internal, data)

    def custody(self, session: Session, ticket: Ticket, action: str, data: dict[str, Any]) -> TicketEvent:
        """An audit entry about the ticket's data (files purged, personal data erased), by the system: it
        changes nothing agents act on, so no card is refreshed."""
        return self._record(session, ticket, SYSTEM, action, ticket.status, ticket.status, data=data, notify_agents=False)

    def _record(
        self,
        session: Session,
        ticket: Ticket,
        actor: Actor,
        action: str,
        before: str | None,
        after: str | None,
        public: str | None = None,
        internal: str | None = None,
        data: dict[str, Any] | None = None,
        notify_agents: bool = True,
    ) -> TicketEvent:
        log_context.note(ticket=ticket.reference)
        now = self.clock.now()
        ticket.updated_at = now
        session.add(ticket)
        event = TicketEvent(
            ticket_id=ticket.id or 0,
            at=now,
            actor=actor.label,
            action=action,
            from_status=before,
            to_status=after,
            public_message=public,
            internal_note=internal,
            data=data or {},
        )
        session.add(event)
        session.flush()
        if notify_agents:
            self._refresh_cards(session, ticket, event)
        return event

    def _refresh_cards(self, session: Session, ticket: Ticket, event: TicketEvent) -> None:
        self._to_agents(
            session,
            ticket,
            f"card:{ticket.id}",
            "ticket_card",
            "agents/ticket_card.j2",
            event_row(event),
            suffix=f":{event.id}",
        )

    def alert_agents(self, session: Session, ticket: Ticket, key: str, template: str, context: dict[str, Any]) -> None:
        self._to_agents(session, ticket, key, "agent_alert", template, None, **context)

    def alert_supervisors(self, session: Session, ticket: Ticket, key: str, template: str, **details: Any) -> bool:
        """Messages each supervisor on a chat channel directly; command-line supervisors see the ticket in
        `tickets list --escalated`. Returns whether any supervisor is configured, so the user can be told.
        The alert is redacted like the agents' cards: a chat message is read wherever it is forwarded."""
        contacts = self.settings.supervisor_contacts()
        summary = ticket_summary(session, ticket, self.settings)
        for channel, user_id in contacts:
            if channel == CLI:
                continue
            self.outbox.enqueue(
                session,
                Notification(
                    dedupe_key=f"{key}:supervisor:{channel}:{user_id}",
                    channel=channel,
                    chat_id=user_id,
                    kind="supervisor_alert",
                    template=template,
                    context=AgentCardView.redacted(
                        summary, ticket.answers, self.hidden(channel), **details
                    ).context(),
                    ticket_id=ticket.id,
                ),
            )
        return bool(contacts)

    def delivery_failed(self, message: Outbound, reason: str) -> None:
        """A message the outbox gave up on, on its ticket: a user we cannot reach is not retried, and
        agents see it there; a decision the platform never received is shown to the supervisors too,
        since until it arrives the platform has not acted on it."""
        if message.ticket_id is None or message.kind not in ("user", WEBHOOK_KIND):
            return
        with self.db.session() as session:
            ticket = session.get(Ticket, message.ticket_id)
            if ticket is None:
                return
            if message.kind == "user":
                self.record(session, ticket, SYSTEM, "undeliverable", internal=reason, data={"outbox": message.id})
                return
            self.record(session, ticket, SYSTEM, "platform_not_told", internal=reason, data={"outbox": message.id})
            self.alert_supervisors(
                session, ticket, f"webhook-failed:{message.id}", "agents/supervisor_webhook_failed.j2", error=reason
            )

    def _to_agents(
        self,
        session: Session,
        ticket: Ticket,
        key: str,
        kind: str,
        template: str,
        event: EventRow | None,
        suffix: str = "",
        **details: Any,
    ) -> None:
        """Queues one message per agents' destination, with the ticket as it is now, redacted: the
        whole chat reads it (agents see everything with `tickets show`, which is logged)."""
        summary = ticket_summary(session, ticket, self.settings)
        for channel, chat_id in self.agent_destinations:
            self.outbox.enqueue(
                session,
                Notification(
                    dedupe_key=f"{key}:{channel}{suffix}",
                    channel=channel,
                    chat_id=chat_id,
                    kind=kind,
                    template=template,
                    context=AgentCardView.redacted(
                        summary, ticket.answers, self.hidden(channel), event, **details
                    ).context(),
                    ticket_id=ticket.id,
                ),
            )

    def tell_user(
        self, session: Session, ticket: Ticket, key: str, template: str, extra: dict[str, Any] | None = None
    ) -> None:
        """Queues a message to the ticket's user in the chat they used; it counts as a status update."""
        user = session.get(User, ticket.user_id)
        if user is None:
            return
        now = self.clock.now()
        ticket.last_user_update_at = now
        session.add(ticket)
        context = {
            "ticket": ticket_view(session, ticket, self.settings, with_events=False),
            "next_update_by": iso(next_update_by(ticket, self.settings)),
            **(extra or {}),
        }
        self.outbox.enqueue(
            session,
            Notification(
                dedupe_key=key,
                channel=user.channel,
                chat_id=user.chat_id,
                template=template,
                context=context,
                user_id=user.id,
                ticket_id=ticket.id,
            ),
        )

    def _tell_user(
        self, session: Session, ticket: Ticket, event: TicketEvent, template: str, extra: dict[str, Any] | None = None
    ) -> None:
        self.tell_user(session, ticket, f"ticket:{ticket.id}:event:{event.id}:user", template, extra)
