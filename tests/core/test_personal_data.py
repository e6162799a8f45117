"""A person's data on request: all of it exported, or the personal part erased while the tickets stay answerable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.core.outbox import Notification
from bot.core.personal_data import ERASED, NoSuchPerson, parse_identity
from bot.core.tickets.actors import Actor
from bot.desk import Desk
from bot.store.models import Evidence, OutboxMessage, RuleAnswer, Ticket, TicketEvent, TranscriptEntry, User
from tests.chat import EXPLANATION, ChatUser, file_appeal, pdf

ALICE = Actor("cli", "alice", "alice")
NAME = "Olga Petrenko"
ACCOUNT = "olga.petrenko@example.org"
REPLY = "Here is my booking from Pegasus Airlines"


def journey(desk: Desk) -> tuple[ChatUser, str]:
    """An appeal with a file, a rule question, an agent's request and note, the person's reply, a transcript line."""
    user = ChatUser(desk, name="4711", display_name=NAME)
    reference = file_appeal(user, account=ACCOUNT, files=(pdf(),))
    user.send("is a VPN allowed?")
    desk.tickets.request_info(reference, ALICE, "Please send your travel booking.")
    desk.tickets.note(reference, ALICE, "Internal: looks genuine")
    user.send(REPLY)
    with desk.db.session() as session:
        session.add(
            TranscriptEntry(
                channel="terminal",
                chat_id="chat-4711",
                key="k1",
                author="user",
                body=REPLY,
                created_at=desk.clock.now(),
            )
        )
    return user, reference


def test_an_identity_is_channel_and_user_id() -> None:
    assert parse_identity("telegram:123:4") == ("telegram", "123:4")
    with pytest.raises(ValueError, match="CHANNEL:USER_ID"):
        parse_identity("123")


def test_the_export_holds_everything_about_the_person_and_no_internal_note(desk: Desk) -> None:
    _, reference = journey(desk)
    exported = desk.personal_data.export("terminal", "4711")
    data = exported.data

    assert data["identity"]["display_name"] == NAME and data["identity"]["user_id"] == "4711"
    assert [entry["text"] for entry in data["transcript"]] == [REPLY]
    assert [row["question"] for row in data["rule_questions"]] == ["is a VPN allowed?"]
    (ticket,) = data["tickets"]
    assert ticket["reference"] == reference and ACCOUNT in ticket["account"]
    assert EXPLANATION in json.dumps(ticket["answers"], ensure_ascii=False)
    said = [(line["from"], line["text"]) for line in ticket["conversation"]]
    assert ("agent", "Please send your travel booking.") in said and ("user", REPLY) in said
    assert "looks genuine" not in json.dumps(data, ensure_ascii=False)
    (file,) = data["files"]
    assert file["ticket"] == reference and file["in_export"] == f"files/{file['id']}-booking.pdf"
    (item,) = exported.files
    assert item.source is not None and item.source.read_bytes() == b"%PDF-1.4 booking"


def test_erasure_removes_the_personal_data_and_keeps_the_ticket_with_its_hashes_and_audit(desk: Desk) -> None:
    _, reference = journey(desk)
    with desk.db.session() as session:
        before = session.exec(select(Ticket)).one()
        evidence = session.exec(select(Evidence)).one()
        desk.outbox.enqueue(
            session, Notification("later", "terminal", "chat-4711", "notify/status_update.j2", user_id=before.user_id)
        )

    erased = desk.personal_data.erase("terminal", "4711", ALICE)

    assert erased.tickets == [reference] and erased.files == 1 and erased.transcript == 1
    assert not Path(evidence.storage_path).exists()
    with desk.db.session() as session:
        ticket = session.exec(select(Ticket)).one()
        user = session.get(User, ticket.user_id)
        kept = session.exec(select(Evidence)).one()
        events = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
        held = json.dumps(
            [
                ticket.model_dump(mode="json"),
                user.model_dump(mode="json") if user else None,
                kept.model_dump(mode="json"),
                [event.model_dump(mode="json") for event in events],
                [row.model_dump(mode="json") for row in session.exec(select(RuleAnswer))],
                [row.model_dump(mode="json") for row in session.exec(select(TranscriptEntry))],
                [
                    row.model_dump(mode="json")
                    for row in session.exec(select(OutboxMessage).where(col(OutboxMessage.user_id) == ticket.user_id))
                ],
            ],
            ensure_ascii=False,
        )
    for personal in (NAME, ACCOUNT, REPLY, EXPLANATION, "4711", "booking.pdf", "is a VPN allowed"):
        assert personal not in held, held[max(0, held.find(personal) - 300) : held.find(personal) + 100]
    assert ticket.reference == reference and ticket.answers_sha256 == before.answers_sha256
    assert ticket.account_key == ERASED and kept.sha256 == evidence.sha256 and kept.purged_at is not None
    audit = [event for event in events if event.action == "personal_data_erased"]
    assert len(audit) == 1 and audit[0].data == {"by": "cli:alice"} and audit[0].actor == "system:appealdesk"
    assert "looks genuine" in held, "agents' own notes are the desk's, not the person's"
    with pytest.raises(NoSuchPerson):
        desk.personal_data.export("terminal", "4711")


def test_someone_who_never_wrote_is_not_found(desk: Desk) -> None:
    with pytest.raises(NoSuchPerson):
        desk.personal_data.erase("terminal", "nobody", ALICE)
