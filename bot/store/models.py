"""Tables. Datetimes are timezone-aware UTC; JSON columns hold structured answers and rendering context."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "platform_user_id", name="uq_users_identity"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    platform_user_id: str = Field(max_length=128)
    chat_id: str = Field(max_length=128)
    display_name: str | None = Field(default=None, max_length=256)
    created_at: datetime
    undeliverable_at: datetime | None = None


class Conversation(SQLModel, table=True):
    """Where one user is in their dialogue with the bot. `version` invalidates old buttons."""

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_mode_updated_at", "mode", "updated_at"),)  # intake reminders

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", unique=True)
    mode: str = Field(default="idle", max_length=32)
    step: str | None = Field(default=None, max_length=64)
    version: int = 0
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    history: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    editing: bool = False
    memo: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id")
    started_at: datetime | None = None
    updated_at: datetime
    reminded_at: datetime | None = None


class ProcessedUpdate(SQLModel, table=True):
    """Platform update ids already handled, so a redelivered update changes nothing."""

    __tablename__ = "processed_updates"
    __table_args__ = (Index("ix_processed_updates_processed_at", "processed_at"),)  # for the retention purge

    channel: str = Field(primary_key=True, max_length=32)
    update_id: str = Field(primary_key=True, max_length=128)
    processed_at: datetime


class InboxUpdate(SQLModel, table=True):
    """A platform update kept before it was acknowledged, until it is handled (`handled_at`), or given up
    (`failed_at`) after its handling failed `attempts` times."""

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("channel", "update_id", name="uq_inbox_update"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    update_id: str = Field(max_length=128)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    received_at: datetime
    handled_at: datetime | None = None
    attempts: int = 0
    failed_at: datetime | None = None


class Ticket(SQLModel, table=True):
    __tablename__ = "tickets"
    __table_args__ = (
        Index(
            "uq_tickets_open_appeal_per_account",
            "account_key",
            "user_id",
            unique=True,
            sqlite_where=text("kind = 'appeal' AND status != 'resolved'"),
            postgresql_where=text("kind = 'appeal' AND status != 'resolved'"),
        ),
        # what the scheduler finds due: late for a target, or quiet for the status-update interval
        Index("ix_tickets_status_first_response_due", "status", "first_response_due"),
        Index("ix_tickets_status_resolution_due", "status", "resolution_due"),
        Index("ix_tickets_status_last_user_update_at", "status", "last_user_update_at"),
        Index("ix_tickets_account_created", "account_key", "created_at"),  # the appeals cap counts by these
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str | None = Field(default=None, max_length=32, unique=True)
    kind: str = Field(default="appeal", max_length=16)
    user_id: int = Field(foreign_key="users.id", index=True)
    account_key: str | None = Field(default=None, max_length=256)
    status: str = Field(default="new", max_length=32, index=True)
    assignee: str | None = Field(default=None, max_length=128)
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    answers_sha256: str = Field(default="", max_length=64)
    checklist: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    suggested_entries: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    outcome: str | None = Field(default=None, max_length=32)
    reason_category: str | None = Field(default=None, max_length=64)
    facts: str | None = Field(default=None, sa_column=Column(Text))
    public_explanation: str | None = Field(default=None, sa_column=Column(Text))
    may_appeal_again: bool | None = None
    appeal_again_after: datetime | None = None
    pending_question: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime
    updated_at: datetime
    first_response_due: datetime
    resolution_due: datetime
    first_response_at: datetime | None = None
    last_user_update_at: datetime
    escalation_level: int = 0
    escalated_at: datetime | None = None
    resolved_at: datetime | None = None
    waiting_since: datetime | None = None  # the response clock is paused while we wait for the user
    waiting_reminded_at: datetime | None = None


class Evidence(SQLModel, table=True):
    """A file the user sent, with what proves it was not changed since.

    `purged_at`: its bytes were deleted (retention after the decision, or the person's erasure); the
    record and its sha256 stay, as the ticket's proof of what it was decided on.
    """

    __tablename__ = "evidence"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id", index=True)
    name: str = Field(max_length=256)
    mime_type: str = Field(max_length=128)
    size: int
    sha256: str = Field(max_length=64)
    storage_path: str = Field(max_length=512)
    received_at: datetime
    source: str = Field(default="intake", max_length=32)
    caption: str | None = Field(default=None, max_length=1000)
    purged_at: datetime | None = None


class TicketEvent(SQLModel, table=True):
    """The audit trail: every change, view and download, with who and when."""

    __tablename__ = "ticket_events"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    at: datetime
    actor: str = Field(max_length=160)
    action: str = Field(max_length=32)
    from_status: str | None = Field(default=None, max_length=32)
    to_status: str | None = Field(default=None, max_length=32)
    public_message: str | None = Field(default=None, sa_column=Column(Text))
    internal_note: str | None = Field(default=None, sa_column=Column(Text))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class OutboxMessage(SQLModel, table=True):
    """A message waiting to be delivered at least once; `dedupe_key` keeps it to once per fact.

    Replies to a user's message are rows too (kind "reply"): `edit_message_id` is the message whose
    button was pressed, when the reply is its new state, `reply_to` the message it answers (shown as a
    reply to it where the channel can), and `expects` what kind of answer comes next.
    A message sent in parts counts the parts already out (`parts_sent`), so a retry sends only the rest;
    one the platform refused for our own output is retried once `as_plain_text`, without buttons.
    `failures` counts the attempts that failed with no word from the platform on when to try again
    (a 5xx, the network): the backoff grows with them, not with the 429s, which say when.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "channel", "next_attempt_at"),
        Index("ix_outbox_chat_order", "channel", "chat_id", "status", "id"),  # a chat's earlier rows, for its order
        Index("ix_outbox_sent_at", "status", "sent_at"),  # delivered rows past retention
        Index("ix_outbox_ticket", "ticket_id", "template", "status"),  # a ticket's status update still waiting
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    channel: str = Field(max_length=32)
    chat_id: str = Field(max_length=128)
    kind: str = Field(default="user", max_length=32)
    user_id: int | None = Field(default=None, foreign_key="users.id")
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id")
    template: str = Field(max_length=128)
    context: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    buttons: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    edit_message_id: str | None = Field(default=None, max_length=128)
    reply_to: str | None = Field(default=None, max_length=128)
    expects: str | None = Field(default=None, max_length=16)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    failures: int = 0
    parts_sent: int = 0
    as_plain_text: bool = False
    next_attempt_at: datetime
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    platform_message_id: str | None = Field(default=None, max_length=128)
    created_at: datetime
    sent_at: datetime | None = None


class TranscriptEntry(SQLModel, table=True):
    """One message of a chat whose history no platform keeps for us (the web chat): the transcript
    the user reads again on the next visit.

    `author` "user" is what the user sent (`body` plain text, `files` the names attached); "bot" is
    what the outbox delivered (`body` already rendered and escaped, `buttons` its rows of
    {label, payload, style}). `key` makes each message once per chat: the update id of the user's,
    the outbox row of the bot's. `replaces` is the earlier entry this one is the new state of (the
    message whose button was pressed), so the chat shows it in its place.
    """

    __tablename__ = "transcript"
    __table_args__ = (
        UniqueConstraint("channel", "chat_id", "key", name="uq_transcript_key"),
        Index("ix_transcript_chat", "channel", "chat_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    chat_id: str = Field(max_length=128)
    key: str = Field(max_length=160)
    author: str = Field(max_length=8)
    body: str = Field(sa_column=Column(Text, nullable=False))
    buttons: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    files: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    replaces: int | None = None
    created_at: datetime


class TicketCard(SQLModel, table=True):
    """Where a ticket's card was posted for agents, so it can be edited in place.

    The row is written before the first post, without `message_id` and claimed until
    `claimed_until`, so two workers never post one ticket's first card twice.
    """

    __tablename__ = "ticket_cards"

    ticket_id: int = Field(foreign_key="tickets.id", primary_key=True)
    channel: str = Field(primary_key=True, max_length=32)
    chat_id: str = Field(max_length=128)
    message_id: str | None = Field(default=None, max_length=128)
    claimed_until: datetime | None = None


class AgentPrompt(SQLModel, table=True):
    """What the bot waits for in an agents' chat: an answer to one of its messages (a prompt to reply
    to, or a question with buttons), keyed by that message. `draft` carries a resolution's answers."""

    __tablename__ = "agent_prompts"

    channel: str = Field(primary_key=True, max_length=32)
    chat_id: str = Field(primary_key=True, max_length=64)
    message_id: str = Field(primary_key=True, max_length=64)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    step: str = Field(max_length=32)
    draft: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class JobLease(SQLModel, table=True):
    """Periodic jobs run once across workers: whoever holds the lease runs the job."""

    __tablename__ = "job_leases"

    name: str = Field(primary_key=True, max_length=64)
    owner: str = Field(max_length=64)
    until: datetime


class RuleAnswer(SQLModel, table=True):
    """A rule question the bot answered, whether the user found the answer helpful, and whether they
    asked for a person after it (`person_asked_at`, recorded from migration 0018 on)."""

    __tablename__ = "rule_answers"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    question: str = Field(sa_column=Column(Text, nullable=False))
    outcome: str = Field(max_length=16)
    entry_id: str | None = Field(default=None, max_length=80)
    score: float = 0.0
    helpful: bool | None = None
    at: datetime = Field(index=True)
    person_asked_at: datetime | None = None


class KbRevision(SQLModel, table=True):
    """One saved version of a knowledge entry (the whole Markdown file); the highest number is current."""

    __tablename__ = "kb_revisions"
    __table_args__ = (UniqueConstraint("entry_id", "number", name="uq_kb_revisions_entry_number"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: str = Field(max_length=80, index=True)
    number: int
    author: str = Field(max_length=160)
    at: datetime
    change: str = Field(default="", max_length=500)
    text: str = Field(sa_column=Column(Text, nullable=False))


class KbVectors(SQLModel, table=True):
    """Embedding vectors of one entry revision under one model, so a worker's start-up embeds nothing it knows."""

    __tablename__ = "kb_vectors"

    revision_id: int = Field(foreign_key="kb_revisions.id", primary_key=True)
    model: str = Field(max_length=120, primary_key=True)
    vectors: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Account(SQLModel, table=True):
    """Someone who signs in to the web console: an agent, a supervisor or an admin.

    A session carries the `password_version` it was signed in with, so a new password ends every
    older session; `one_time` marks a generated password that must be replaced at the next sign-in.
    """

    __tablename__ = "accounts"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=256)
    one_time: bool = False
    password_version: int = 1
    failed_sign_ins: int = 0
    locked_until: datetime | None = None
    disabled_at: datetime | None = None
    created_at: datetime
    last_sign_in_at: datetime | None = None


class ApiKey(SQLModel, table=True):
    """A key the platform's systems call the API with: only its sha256 is kept (core/platform/keys.py)."""

    __tablename__ = "api_keys"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    lookup: str = Field(max_length=16, unique=True)
    token_sha256: str = Field(max_length=64)
    created_at: datetime
    revoked_at: datetime | None = None


class ApiCall(SQLModel, table=True):
    """One call to the platform API, with the key's name (None when no key was accepted): the audit trail."""

    __tablename__ = "api_calls"

    id: int | None = Field(default=None, primary_key=True)
    key_name: str | None = Field(default=None, max_length=64, index=True)
    method: str = Field(max_length=8)
    path: str = Field(max_length=512)
    status: int
    idempotency_key: str | None = Field(default=None, max_length=200)
    at: datetime


class ApiIdempotency(SQLModel, table=True):
    """The first result of a write sent with an Idempotency-Key, returned again for every repeat of it.

    `fingerprint` is the sha256 of what was asked, so the same key with another request is refused.
    """

    __tablename__ = "api_idempotency"
    __table_args__ = (UniqueConstraint("key_name", "idempotency_key", name="uq_api_idempotency_key"),)

    id: int | None = Field(default=None, primary_key=True)
    key_name: str = Field(max_length=64)
    idempotency_key: str = Field(max_length=200)
    fingerprint: str = Field(max_length=64)
    status: int
    body: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime


class AccountAction(SQLModel, table=True):
    """What the platform did to an account, as its systems told us (core/platform/actions.py).

    `user_told` says whether the user was told first: `queued`, or why not (`no_identity`,
    `unknown_identity`, `unreachable`).
    """

    __tablename__ = "account_actions"

    id: int | None = Field(default=None, primary_key=True)
    key_name: str = Field(max_length=64)
    account_id: str = Field(max_length=256)
    account_key: str = Field(max_length=300, index=True)
    action: str = Field(max_length=32)
    reason_category: str = Field(max_length=64)
    rule_entries: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    public_explanation: str = Field(sa_column=Column(Text, nullable=False))
    internal_note: str | None = Field(default=None, sa_column=Column(Text))
    acting_staff: str = Field(max_length=128)
    taken_at: datetime
    recorded_at: datetime
    chat_identity: str | None = Field(default=None, max_length=200)
    user_told: str = Field(max_length=16)


class LinkCode(SQLModel, table=True):
    """A one-time code the platform showed its logged-in user, kept as its sha256 (core/platform/links.py)."""

    __tablename__ = "link_codes"

    id: int | None = Field(default=None, primary_key=True)
    key_name: str = Field(max_length=64)
    account_id: str = Field(max_length=256)
    account_key: str = Field(max_length=300)
    code_sha256: str = Field(max_length=64, unique=True)
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    used_by: int | None = Field(default=None, foreign_key="users.id")


class VerifiedOwner(SQLModel, table=True):
    """A chat identity proven to be an account's owner by a link code the platform gave them."""

    __tablename__ = "verified_owners"
    __table_args__ = (UniqueConstraint("user_id", "account_key", name="uq_verified_owner"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    account_id: str = Field(max_length=256)
    account_key: str = Field(max_length=300, index=True)
    link_code_id: int = Field(foreign_key="link_codes.id")
    verified_at: datetime


class LinkAttempt(SQLModel, table=True):
    """A `/link` code that matched nothing: counted per user, so guessing codes is slowed to a few an hour."""

    __tablename__ = "link_attempts"
    __table_args__ = (Index("ix_link_attempts_user_at", "user_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    at: datetime


class MessageWindow(SQLModel, table=True):
    """A user's messages in their current minute, kept in the database so every worker counts the same flood."""

    __tablename__ = "message_windows"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    started_at: datetime
    messages: int = 0
    told: bool = False
