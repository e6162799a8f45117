"""What the platform did to an account, as its systems report it, and the user told first.

The platform's record is kept as it was sent (the internal note too, for agents). When the report
names a chat identity that has talked to the bot and can still be reached, the user gets one message
through the outbox before they have to ask: what happened, the rule in the knowledge base's own
words, what they can do now and how to appeal. A warning says that nothing is restricted yet.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from sqlmodel import Session, select

from bot.core.clock import Clock
from bot.core.events import Button
from bot.core.intake.parsing import parse_account
from bot.core.knowledge.entry import SLUG
from bot.core.knowledge.library import KnowledgeLibrary
from bot.core.outbox import Notification, Outbox
from bot.core.platform.fields import AccountId
from bot.core.tickets.lifecycle import REASON_CATEGORIES
from bot.store.models import AccountAction, User

MAX_RULE_ENTRIES = 3  # each is told in full; more would bury the one that matters
# The reasons agents give, less the one only a question ticket has.
REASONS = tuple(reason for reason in REASON_CATEGORIES if reason != "question-answered")
CHAT_IDENTITY = r"^[a-z][a-z0-9_-]{0,31}:[^\s:][^\s]{0,127}$"


class Action(StrEnum):
    WARNING = "warning"
    TEMPORARY_HOLD = "temporary_hold"
    FEATURE_RESTRICTION = "feature_restriction"
    PERMANENT_SUSPENSION = "permanent_suspension"
    LIFTED = "lifted"


class Told(StrEnum):
    """Whether the user was told first, or why not."""

    QUEUED = "queued"  # a message is in the outbox for their chat
    NO_IDENTITY = "no_identity"  # the platform named no chat identity
    UNKNOWN_IDENTITY = "unknown_identity"  # nobody with that identity has written to the bot yet
    UNREACHABLE = "unreachable"  # the chat platform said they are gone (blocked the bot, deleted)


Text = Annotated[str, Field(min_length=1)]


class AccountActionRequest(BaseModel):
    """An account action as the platform reports it (`POST /api/v1/account-actions`)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, title="AccountActionRequest")

    account_id: AccountId
    action: Action
    reason_category: str = Field(
        json_schema_extra={"enum": list(REASONS)}, description="The same categories agents decide appeals with."
    )
    rule_entries: list[str] = Field(
        default_factory=list,
        max_length=MAX_RULE_ENTRIES,
        description="Knowledge base entry ids of the rules the action is about; each is told to the user.",
    )
    public_explanation: Text = Field(max_length=2000, description="What the user is told happened, and why.")
    internal_note: str | None = Field(
        default=None, max_length=4000, description="For agents only; never shown to the user."
    )
    acting_staff: Text = Field(max_length=128, description="The platform's staff member who took the action.")
    taken_at: AwareDatetime = Field(description="When the action was taken, with its time zone.")
    chat_identity: str | None = Field(
        default=None,
        pattern=CHAT_IDENTITY,
        description="How to reach the user, if known: `channel:user id`, the channel's name and its id for the user.",
    )

    @field_validator("reason_category")
    @classmethod
    def _a_reason(cls, value: str) -> str:
        if value not in REASONS:
            raise ValueError(f"not one of {', '.join(REASONS)}")
        return value

    @field_validator("rule_entries")
    @classmethod
    def _known_entries(cls, value: list[str], info: ValidationInfo) -> list[str]:
        """Checked against the knowledge base the caller passes as the context's `entries`."""
        known = (info.context or {}).get("entries")
        for entry_id in value:
            if not SLUG.match(entry_id) or (known is not None and entry_id not in known):
                raise ValueError(f"no knowledge base entry {entry_id!r}")
        if len(set(value)) != len(value):
            raise ValueError("an entry is named twice")
        return value


class AccountActionRecord(BaseModel):
    """The platform's account action as kept, and whether the user was told first."""

    model_config = ConfigDict(title="AccountAction")

    id: int
    account_id: str
    action: Action
    reason_category: str
    rule_entries: list[str]
    public_explanation: str
    acting_staff: str
    taken_at: datetime
    recorded_at: datetime
    chat_identity: str | None
    user_told: Told


class AccountActions:
    """The platform's records of what it did to accounts."""

    def __init__(self, clock: Clock, outbox: Outbox, knowledge: KnowledgeLibrary, platform: str) -> None:
        self.clock = clock
        self.outbox = outbox
        self.knowledge = knowledge
        self.platform = platform

    def parse(self, data: Any) -> AccountActionRequest:
        """The request, validated against the knowledge base as it is now; raises pydantic's ValidationError."""
        entries = {entry.id for entry in self.knowledge.entries()}
        return AccountActionRequest.model_validate(data, context={"entries": entries})

    def record(self, session: Session, key_name: str, request: AccountActionRequest) -> AccountActionRecord:
        """Keeps the record and, when the user can be reached, queues their message, in the caller's transaction."""
        user = self._user(session, request.chat_identity)
        told = _told(request.chat_identity, user)
        row = AccountAction(
            key_name=key_name,
            account_id=request.account_id,
            account_key=parse_account(request.account_id)["key"],
            action=request.action.value,
            reason_category=request.reason_category,
            rule_entries=list(request.rule_entries),
            public_explanation=request.public_explanation,
            internal_note=request.internal_note,
            acting_staff=request.acting_staff,
            taken_at=request.taken_at,
            recorded_at=self.clock.now(),
            chat_identity=request.chat_identity,
            user_told=told.value,
        )
        session.add(row)
        session.flush()
        if user is not None and told is Told.QUEUED:
            self._tell_first(session, row, user)
        return AccountActionRecord.model_validate(row, from_attributes=True)

    def _user(self, session: Session, identity: str | None) -> User | None:
        if identity is None:
            return None
        channel, user_id = identity.split(":", 1)
        return session.exec(select(User).where(User.channel == channel, User.platform_user_id == user_id)).first()

    def _tell_first(self, session: Session, row: AccountAction, user: User) -> None:
        rules = [entry for entry in map(self.knowledge.entry, row.rule_entries) if entry is not None]
        self.outbox.enqueue(
            session,
            Notification(
                dedupe_key=f"account-action:{row.id}:user",
                channel=user.channel,
                chat_id=user.chat_id,
                template="platform/account_action.j2",
                context={
                    "action": row.action,
                    "account": row.account_id,
                    "explanation": row.public_explanation,
                    "taken_at": row.taken_at.isoformat(),
                    "rules": [{"title": rule.title, "answer": rule.public_answer(self.platform)} for rule in rules],
                },
                user_id=user.id,
                buttons=_buttons(Action(row.action)),
            ),
        )


def _told(identity: str | None, user: User | None) -> Told:
    if identity is None:
        return Told.NO_IDENTITY
    if user is None:
        return Told.UNKNOWN_IDENTITY
    return Told.UNREACHABLE if user.undeliverable_at is not None else Told.QUEUED


def _buttons(action: Action) -> tuple[tuple[Button, ...], ...]:
    """An appeal one tap away for a restriction; a person, for anything the user wants to ask."""
    if action is Action.LIFTED:
        return ()
    if action is Action.WARNING:
        return ((Button("go.human", "go:human"),),)
    return ((Button("go.appeal", "go:appeal", style="primary"), Button("go.human", "go:human")),)
