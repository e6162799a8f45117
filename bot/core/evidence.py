"""Evidence files: size and type limits, content-addressed storage, and an integrity record.

A file's type is read from its content (magic bytes, by the `filetype` library), never taken from
its name or the platform's word: a file whose content is no accepted type, or is not what its
name says (an executable named .pdf), is refused. Text, CSV and e-mail files have no magic bytes;
valid UTF-8 without NUL bytes counts as text, and the name then says which kind of text.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import tempfile
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import filetype
from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.events import Attachment
from bot.store.models import Evidence

_EXTENSION_TYPES = {".txt": "text/plain", ".csv": "text/csv", ".eml": "message/rfc822", ".webp": "image/webp"}
_TEXT_TYPES = ("text/", "message/rfc822")
UNKNOWN = "application/octet-stream"


log = logging.getLogger(__name__)


class DownloadFailed(Exception):
    """The platform did not hand over a file it announced."""


class IntegrityFailed(Exception):
    """A stored file is gone or its bytes no longer match the sha256 recorded when it was received."""

    def __init__(self, evidence_id: int | None, reason: str) -> None:
        super().__init__(f"evidence {evidence_id}: {reason}")
        self.reason = reason  # "mismatch" or "missing"


@dataclass(frozen=True)
class Refusal:
    """Why a file was not saved: 'too_big', 'wrong_type', 'not_recognised', 'mismatch', 'empty',
    'too_many', 'download_failed', or 'duplicate' (the appeal already has the same content)."""

    name: str
    reason: str


@dataclass(frozen=True)
class Received:
    """What became of the files of one message: each one kept, or refused with the reason the user is told."""

    accepted: tuple[Evidence, ...] = ()
    refused: tuple[Refusal, ...] = ()

    def told(self) -> dict[str, Any]:
        """The files as every template that acknowledges them lists them (`accepted`, `refused`)."""
        return {
            "accepted": [{"name": item.name, "size": item.size} for item in self.accepted],
            "refused": [{"name": item.name, "reason": item.reason} for item in self.refused],
        }


def guess_type(name: str, declared: str | None) -> str:
    """What the platform and the name claim, before any content is seen ('application/octet-stream' if nothing)."""
    if declared and declared != UNKNOWN:
        return declared.split(";")[0].strip().lower()
    return type_of_name(name) or UNKNOWN


def type_of_name(name: str) -> str | None:
    suffix = Path(name).suffix.lower()
    return _EXTENSION_TYPES.get(suffix) or mimetypes.guess_type(name)[0]


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def sniff(name: str, data: bytes, allowed: Collection[str]) -> str | Refusal:
    """The file's real, accepted type from its content; refused when the content is not what the name says."""
    named = type_of_name(name)
    kind = filetype.guess(data)
    if kind is not None:
        found = kind.mime
    elif _is_text(data):
        found = named if named and named.startswith(_TEXT_TYPES) else "text/plain"
    else:
        return Refusal(name, "not_recognised")
    if named in allowed and named != found:
        return Refusal(name, "mismatch")
    return found if found in allowed else Refusal(name, "wrong_type")


class EvidenceStore:
    def __init__(self, directory: Path, max_bytes: int, allowed_types: list[str], max_files: int, clock: Clock):
        self.directory = directory
        self.max_bytes = max_bytes
        self.allowed_types = {item.lower() for item in allowed_types}
        self.max_files = max_files
        self.clock = clock

    @property
    def max_mb(self) -> float:
        """The size limit as users are told it."""
        return round(self.max_bytes / (1024 * 1024), 1)

    @property
    def limits(self) -> dict[str, Any]:
        """The limits as the templates that mention them state them (`max_mb`, `max_files`)."""
        return {"max_mb": self.max_mb, "max_files": self.max_files}

    def precheck(self, attachment: Attachment) -> Refusal | None:
        """Checks what the platform told us before downloading anything; an unknown type is read from the content."""
        if attachment.size > self.max_bytes:
            return Refusal(attachment.name, "too_big")
        claimed = guess_type(attachment.name, attachment.mime_type)
        if claimed != UNKNOWN and claimed not in self.allowed_types:
            return Refusal(attachment.name, "wrong_type")
        return None

    def digests(self, session: Session, evidence_ids: Iterable[int]) -> set[str]:
        """The sha256 of files an appeal in progress already has, so the same content is not saved twice."""
        ids = list(evidence_ids)
        if not ids:
            return set()
        return set(session.exec(select(Evidence.sha256).where(col(Evidence.id).in_(ids))))

    def digests_of_ticket(self, session: Session, ticket_id: int) -> set[str]:
        """The sha256 of the files a filed ticket has."""
        return set(session.exec(select(Evidence.sha256).where(Evidence.ticket_id == ticket_id)))

    def prefetch(self, attachments: tuple[Attachment, ...]) -> tuple[Attachment, ...]:
        """Downloads acceptable files up front, so no database transaction waits on a slow download."""
        fetched = []
        for attachment in attachments:
            if self.precheck(attachment) is not None:
                fetched.append(attachment)
                continue
            try:
                data = attachment.fetch()
            except Exception as error:  # whatever the platform raised, the user gets a clear refusal
                log.warning("download of %r failed: %s", attachment.name, error)
                fetched.append(replace(attachment, fetch=_failed))
                continue
            fetched.append(replace(attachment, size=len(data), fetch=_returning(data)))
        return tuple(fetched)

    def accept(
        self,
        session: Session,
        user_id: int,
        attachment: Attachment,
        source: str,
        ticket_id: int | None = None,
        caption: str = "",
        seen: set[str] | None = None,
    ) -> Evidence | Refusal:
        """Downloads, checks what was really received, and records it with its sha256.

        `seen` holds the sha256 of the files the appeal already has; a file with the same content is
        refused as 'duplicate', and an accepted one is added to it.
        """
        refusal = self.precheck(attachment)
        if refusal:
            return refusal
        try:
            data = attachment.fetch()
        except DownloadFailed:
            return Refusal(attachment.name, "download_failed")
        if len(data) > self.max_bytes:
            return Refusal(attachment.name, "too_big")
        if not data:
            return Refusal(attachment.name, "empty")
        found = sniff(attachment.name, data, self.allowed_types)
        if isinstance(found, Refusal):
            return found
        digest = hashlib.sha256(data).hexdigest()
        if seen is not None and digest in seen:
            return Refusal(attachment.name, "duplicate")
        path = self.directory / digest[:2] / digest
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as temporary:
                temporary.write(data)
            Path(temporary.name).replace(path)
        evidence = Evidence(
            user_id=user_id,
            ticket_id=ticket_id,
            name=_safe_name(attachment.name),
            mime_type=found,
            size=len(data),
            sha256=digest,
            storage_path=str(path),
            received_at=self.clock.now(),
            source=source,
            caption=caption[:1000] or None,
        )
        session.add(evidence)
        session.flush()
        if seen is not None:
            seen.add(digest)
        return evidence

    def accept_all(
        self,
        session: Session,
        user_id: int,
        attachments: Iterable[Attachment],
        source: str,
        seen: set[str],
        ticket_id: int | None = None,
        caption: str = "",
        room: int | None = None,
    ) -> Received:
        """Accepts or refuses each file of a message, the one rule for every way files arrive.

        `seen` holds the sha256 of the files the appeal already has (see `accept`); `room` is how many
        more files it may take, if it is limited: the files past it are refused as 'too_many'.
        """
        accepted: list[Evidence] = []
        refused: list[Refusal] = []
        for attachment in attachments:
            if room is not None and len(accepted) >= room:
                refused.append(Refusal(attachment.name, "too_many"))
                continue
            result = self.accept(session, user_id, attachment, source, ticket_id, caption, seen)
            if isinstance(result, Refusal):
                refused.append(result)
            else:
                accepted.append(result)
        return Received(tuple(accepted), tuple(refused))

    def discard(self, session: Session, evidence: Evidence) -> None:
        """Forgets a file the user withdrew; its bytes go too unless another record still needs them."""
        session.delete(evidence)
        self._unlink_unless_needed(session, evidence)

    def purge(self, session: Session, evidence: Evidence) -> None:
        """Deletes a file's bytes and keeps its record (name, size, sha256) as proof of what it was; the
        bytes stay while another record that still has them needs them."""
        evidence.purged_at = self.clock.now()
        session.add(evidence)
        self._unlink_unless_needed(session, evidence)

    @staticmethod
    def _unlink_unless_needed(session: Session, evidence: Evidence) -> None:
        session.flush()
        needed = session.exec(
            select(Evidence.id).where(Evidence.sha256 == evidence.sha256, col(Evidence.purged_at).is_(None))
        ).first()
        if needed is None:
            Path(evidence.storage_path).unlink(missing_ok=True)

    def read(self, evidence: Evidence) -> bytes:
        """The stored bytes, verified against the recorded sha256 (IntegrityFailed if they are not those)."""
        try:
            data = Path(evidence.storage_path).read_bytes()
        except OSError as error:
            raise IntegrityFailed(evidence.id, "missing") from error
        if hashlib.sha256(data).hexdigest() != evidence.sha256:
            raise IntegrityFailed(evidence.id, "mismatch")
        return data


def _safe_name(name: str) -> str:
    """A name that is only ever a label: no folders, no leading dots, nothing unprintable."""
    cleaned = "".join(ch for ch in Path(name.replace("\\", "/")).name if ch.isprintable()).strip().lstrip(".")
    return (cleaned or "file")[:200]


def _failed() -> bytes:
    raise DownloadFailed()


def _returning(data: bytes) -> Callable[[], bytes]:
    return lambda: data
