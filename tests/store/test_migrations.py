"""Migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlmodel import SQLModel

from bot.core.clock import ManualClock
from bot.core.inbox import Inbox
from bot.core.prompts import PromptStore, Waiting
from bot.core.tickets.resolution import ResolutionDraft
from bot.store import migrate
from bot.store.db import Database
from bot.store.models import Ticket


def test_the_migrated_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_migrations_downgrade_to_nothing_and_upgrade_again(tmp_path: object) -> None:
    database = Database(f"sqlite:///{tmp_path}/fresh.db")
    migrate.upgrade(database.engine)
    assert migrate.current(database.engine) == migrate.head() == "0023_outbox_ticket_index"
    migrate.downgrade(database.engine, "base")
    assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(database.engine)
    assert "tickets" in inspect(database.engine).get_table_names()


def test_tickets_already_waiting_for_the_user_get_a_paused_clock_from_the_upgrade(tmp_path: object) -> None:
    database = Database(f"sqlite:///{tmp_path}/waiting.db")
    migrate.upgrade(database.engine, "0004_replies_in_outbox")
    with database.engine.begin() as connection:
        _a_user_with_tickets(connection, "question", "awaiting_user", "in_review")
    migrate.upgrade(database.engine)
    with database.session() as session:
        waiting, reviewed = session.get(Ticket, 1), session.get(Ticket, 2)
        assert waiting is not None and reviewed is not None
        assert waiting.waiting_since is not None and waiting.waiting_since.tzinfo is not None
        assert reviewed.waiting_since is None and waiting.waiting_reminded_at is None
    database.dispose()


def test_the_telegram_prompts_of_migration_0002_are_kept_as_the_telegram_channels_agent_prompts(
    tmp_path: object,
) -> None:
    database = Database(f"sqlite:///{tmp_path}/prompts.db")
    migrate.upgrade(database.engine, "0007_inbox")
    with database.engine.begin() as connection:
        _a_user_with_tickets(connection, "appeal", "in_review")
        connection.execute(
            text(
                "INSERT INTO telegram_agent_prompts (chat_id, message_id, ticket_id, step, draft)"
                " VALUES ('-100', '42', 1, 'explanation', '{\"outcome\": \"upheld\"}')"
            )
        )
    migrate.upgrade(database.engine)
    kept = Waiting(1, "explanation", ResolutionDraft(kind="appeal", outcome="upheld"))
    assert PromptStore(database, "telegram").get("-100", 42) == kept
    assert PromptStore(database, "slack").get("-100", 42) is None
    migrate.downgrade(database.engine, "0007_inbox")
    with database.engine.connect() as connection:
        kept = connection.execute(text("SELECT chat_id, message_id, step FROM telegram_agent_prompts")).all()
    assert [tuple(row) for row in kept] == [("-100", "42", "explanation")]
    database.dispose()


def test_updates_kept_before_the_upgrade_have_no_failed_attempts_and_are_still_replayed(tmp_path: object) -> None:
    database = Database(f"sqlite:///{tmp_path}/inbox.db")
    migrate.upgrade(database.engine, "0010_outbox_reply_to")
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO inbox (channel, update_id, payload, received_at)"
                " VALUES ('slack', 'EvOLD', '{}', '2026-11-20 12:00:00.000000')"
            )
        )
    migrate.upgrade(database.engine)
    inbox = Inbox(database, ManualClock())
    assert inbox.undone("slack") == [("EvOLD", {})]
    assert [inbox.failed("slack", "EvOLD") for _ in range(3)] == [False, False, True]
    assert inbox.undone("slack") == []
    database.dispose()


def _a_user_with_tickets(connection: Connection, kind: str, *statuses: str) -> None:
    """Rows as an older schema holds them, written in SQL because today's models no longer match it."""
    at = "2026-11-20 12:00:00.000000"
    connection.execute(
        text(
            "INSERT INTO users (id, channel, platform_user_id, chat_id, created_at)"
            " VALUES (1, 'terminal', 'olga', 'chat-olga', :at)"
        ),
        {"at": at},
    )
    for ticket_id, status in enumerate(statuses, start=1):
        connection.execute(
            text(
                "INSERT INTO tickets (id, kind, user_id, status, answers, answers_sha256, checklist,"
                " suggested_entries, created_at, updated_at, first_response_due, resolution_due,"
                " last_user_update_at, escalation_level)"
                " VALUES (:id, :kind, 1, :status, '{}', '', '[]', '[]', :at, :at, :at, :at, :at, 0)"
            ),
            {"id": ticket_id, "kind": kind, "status": status, "at": at},
        )
