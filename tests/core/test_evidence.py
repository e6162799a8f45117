"""Evidence files: the type comes from the content, and the same file is kept once per appeal."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.config import Settings
from bot.core.events import Attachment
from bot.core.evidence import Refusal, sniff
from bot.desk import Desk
from bot.store.models import Evidence
from tests.chat import ChatUser, file_appeal, pdf
from tests.core.intake.test_flow import _walk_to_evidence

ALLOWED = Settings(_env_file=None).evidence_types  # type: ignore[call-arg]
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
JPEG = b"\xff\xd8\xff\xe0" + b"J" * 64
EXE = b"MZ\x90\x00\x03" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64
ZIP = b"PK\x03\x04" + b"\x00" * 32


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("booking.pdf", PDF, "application/pdf"),
        ("screenshot.PNG", PNG, "image/png"),
        ("photo", JPEG, "image/jpeg"),  # no extension: the content decides
        ("notes.txt", b"Flight TK1234 on 10 Nov, hotel in Izmir.", "text/plain"),
        ("logins.csv", b"date,ip\n2026-11-10,85.1.2.3\n", "text/csv"),
        ("airline.eml", b"From: desk@airline.example\nSubject: Your booking\n\nDear Olga", "message/rfc822"),
        ("message", "Привет, это мой договор".encode(), "text/plain"),
    ],
)
def test_accepted_types_are_read_from_the_content(name: str, content: bytes, expected: str) -> None:
    assert sniff(name, content, ALLOWED) == expected


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("invoice.pdf", EXE, "mismatch"),  # an executable named .pdf
        ("contract.pdf", ELF, "mismatch"),
        ("scan.jpg", PNG, "mismatch"),
        ("report.pdf", b"just some text", "mismatch"),
        ("archive", ZIP, "wrong_type"),
        ("tool", EXE, "wrong_type"),
        ("data.txt", b"\x00\x01\x02\xfe\xff binary", "not_recognised"),
        ("latin.txt", b"caf\xe9 cr\xe8me", "not_recognised"),
    ],
)
def test_content_that_is_no_accepted_type_or_not_what_its_name_says_is_refused(
    name: str, content: bytes, reason: str
) -> None:
    assert sniff(name, content, ALLOWED) == Refusal(name, reason)


def test_an_executable_named_pdf_is_refused_clearly_and_nothing_is_kept(desk: Desk) -> None:
    user = ChatUser(desk)
    _walk_to_evidence(user)
    user.send(files=(Attachment("invoice.pdf", "application/pdf", len(EXE), lambda: EXE),))
    assert "Not saved: invoice.pdf - what is inside does not match its name (.pdf)" in user.text()
    assert user.templates()[-1] == "intake/steps/evidence.j2"
    with desk.db.session() as session:
        assert session.exec(select(Evidence)).all() == []


def test_a_file_without_a_useful_name_or_type_is_saved_with_the_type_of_its_content(desk: Desk) -> None:
    user = ChatUser(desk)
    _walk_to_evidence(user)
    user.send(files=(Attachment("document-AgADBQ", "application/octet-stream", len(PNG), lambda: PNG),))
    assert "Saved: document-AgADBQ" in user.text()
    with desk.db.session() as session:
        assert session.exec(select(Evidence.mime_type)).all() == ["image/png"]


def test_the_same_file_twice_in_one_appeal_is_kept_once_and_the_user_is_told(desk: Desk) -> None:
    user = ChatUser(desk)
    _walk_to_evidence(user)
    user.send(files=(pdf(), pdf("booking-copy.pdf")))
    assert "Saved: booking.pdf" in user.text()
    assert "Already saved: booking-copy.pdf - you sent this same file before, so I kept one copy." in user.text()
    user.send(files=(pdf("booking (1).pdf"),))
    assert "Already saved: booking (1).pdf" in user.text()
    with desk.db.session() as session:
        assert len(session.exec(select(Evidence)).all()) == 1


def test_a_file_already_on_the_filed_appeal_is_not_added_again(desk: Desk) -> None:
    user = ChatUser(desk)
    file_appeal(user, files=(pdf(),))
    user.send(files=(pdf("booking again.pdf"), pdf("new.pdf", PDF)))
    assert "Already saved: booking again.pdf" in user.text() and "Saved: new.pdf" in user.text()
    with desk.db.session() as session:
        assert sorted(session.exec(select(Evidence.name)).all()) == ["booking.pdf", "new.pdf"]


def test_one_rule_accepts_or_refuses_each_file_of_a_message(desk: Desk) -> None:
    """The same function serves the guided intake, the one-page form and files added to a ticket."""
    files = (
        pdf("a.pdf", PDF),
        pdf("again.pdf", PDF),
        Attachment("tool.pdf", "application/pdf", len(EXE), lambda: EXE),
        Attachment("b.png", "image/png", len(PNG), lambda: PNG),
        Attachment("c.jpg", "image/jpeg", len(JPEG), lambda: JPEG),
    )
    with desk.db.session() as session:
        user = desk.user_for(session, ChatUser(desk).identity)
        received = desk.evidence.accept_all(session, user.id or 0, files, "intake", set(), room=2)
    assert [item.name for item in received.accepted] == ["a.pdf", "b.png"]
    assert received.told()["refused"] == [
        {"name": "again.pdf", "reason": "duplicate"},
        {"name": "tool.pdf", "reason": "mismatch"},
        {"name": "c.jpg", "reason": "too_many"},
    ]
