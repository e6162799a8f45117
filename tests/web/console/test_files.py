"""A ticket's files: previews for images and PDFs, downloads, each checked against the sha256 and logged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import select

from bot.core.events import Attachment
from bot.core.tickets.actors import CONSOLE, Actor
from bot.desk import Desk
from bot.store.models import Evidence, OutboxMessage
from bot.web.console.files import disposition
from tests.chat import ChatUser, file_appeal, pdf
from tests.web.console.conftest import Console

SAM = Actor(CONSOLE, "sam", "sam")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
TEXT = b"<html><script>alert(1)</script></html>"


def _file(name: str, mime_type: str, content: bytes) -> Attachment:
    return Attachment(name, mime_type, len(content), lambda: content)


def _appeal_with(desk: Desk, *files: Attachment) -> tuple[str, list[dict[str, Any]]]:
    reference = file_appeal(ChatUser(desk), files=files)
    return reference, desk.tickets.show(reference, SAM)["files"]


def _uses(desk: Desk, reference: str) -> list[tuple[str, str, int]]:
    events = desk.tickets.show(reference, SAM)["events"]
    return [(e["actor"], e["action"], e["file"]) for e in events if e["file"] is not None]


def test_an_image_is_previewed_inline_only_when_asked_and_each_preview_is_logged(console: Console, accounts: Desk) -> None:
    reference, files = _appeal_with(accounts, _file("screen.png", "image/png", PNG))
    image = files[0]["id"]
    console.sign_in("alice")
    page: Any = console.get(f"/console/tickets/{reference}")
    assert f"?preview={image}" in page.text and "<img" not in page.text
    page = console.get(f"/console/tickets/{reference}?preview={image}")
    assert f'/files/{image}/preview" alt="Preview of screen.png">' in page.text
    shown: Any = console.get(f"/console/tickets/{reference}/files/{image}/preview")
    assert shown.status_code == 200 and shown.content == PNG
    assert shown.headers["content-type"] == "image/png"
    assert shown.headers["x-content-type-options"] == "nosniff"
    assert shown.headers["content-disposition"].startswith("inline;")
    assert "sandbox" in shown.headers["content-security-policy"]
    assert _uses(accounts, reference) == [("console:alice", "previewed", image)]


def test_a_pdf_is_embedded_and_downloaded_as_an_attachment_with_its_type(console: Console, accounts: Desk) -> None:
    reference, files = _appeal_with(accounts, pdf())
    booking = files[0]["id"]
    console.sign_in("alice")
    page: Any = console.get(f"/console/tickets/{reference}?preview={booking}")
    assert f'/files/{booking}/preview" title="Preview of booking.pdf"' in page.text
    saved: Any = console.get(f"/console/tickets/{reference}/files/{booking}/download")
    assert saved.status_code == 200 and saved.content == b"%PDF-1.4 booking"
    assert saved.headers["content-type"] == "application/pdf"
    assert saved.headers["content-disposition"] == "attachment; filename=\"booking.pdf\"; filename*=UTF-8''booking.pdf"
    assert _uses(accounts, reference) == [("console:alice", "downloaded", booking)]


def test_a_users_file_is_never_served_as_a_page(console: Console, accounts: Desk) -> None:
    reference, files = _appeal_with(accounts, _file("notes.txt", "text/plain", TEXT))
    notes = files[0]["id"]
    console.sign_in("alice")
    page: Any = console.get(f"/console/tickets/{reference}")
    assert "?preview=" not in page.text and "Download<" in page.text
    assert console.get(f"/console/tickets/{reference}/files/{notes}/preview").status_code == 404  # type: ignore[attr-defined]
    saved: Any = console.get(f"/console/tickets/{reference}/files/{notes}/download")
    assert saved.headers["content-type"] == "text/plain; charset=utf-8"
    assert saved.headers["content-disposition"].startswith("attachment;")
    assert saved.headers["x-content-type-options"] == "nosniff"


def test_a_file_whose_bytes_changed_is_refused_logged_and_alerted_once(console: Console, accounts: Desk) -> None:
    reference, files = _appeal_with(accounts, pdf())
    booking = files[0]["id"]
    with accounts.db.session() as session:
        stored = session.exec(select(Evidence).where(Evidence.id == booking)).one()
    Path(stored.storage_path).write_bytes(b"%PDF-1.4 forged")
    accounts.tickets.agent_destinations = [("telegram", "-100")]  # one agents' chat to alert
    console.sign_in("alice")
    for path in ("download", "preview"):
        refused: Any = console.get(f"/console/tickets/{reference}/files/{booking}/{path}")
        assert refused.status_code == 409 and "forged" not in refused.text
        assert "was not shown" in refused.text and "no longer matches" in refused.text
    assert _uses(accounts, reference) == [("console:alice", "file_refused", booking)] * 2
    with accounts.db.session() as session:
        alerts = session.exec(select(OutboxMessage).where(OutboxMessage.template == "agents/file_refused.j2")).all()
    assert [alert.chat_id for alert in alerts] == ["-100"]  # once per file, however often it is asked for


def test_files_are_for_agents_of_this_ticket_only(console: Console, accounts: Desk) -> None:
    reference, files = _appeal_with(accounts, pdf())
    path = f"/console/tickets/{reference}/files/{files[0]['id']}/download"
    assert console.get(path).status_code == 303  # type: ignore[attr-defined]  # signed out: to the sign-in page
    console.sign_in("alice")
    assert console.get(f"/console/tickets/{reference}/files/{files[0]['id'] + 99}/download").status_code == 404  # type: ignore[attr-defined]
    assert _uses(accounts, reference) == []


def test_a_file_name_never_breaks_out_of_the_header() -> None:
    header = disposition("attachment", 'a"; evil=1\r\nX: y.pdf')
    assert "\r" not in header and "\n" not in header and '"; evil' not in header
    assert header.startswith('attachment; filename="a_evil_1_X_y.pdf"')
    assert disposition("inline", "отчёт.pdf").endswith("filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.pdf")
