"""Evidence files: size and type limits, content-addressed storage, and an integrity record."""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from sqlmodel import Session, select

from bot.core.clock import Clock
from bot.core.events import Attachment
from bot.store.models import Evidence

_EXTENSION_TYPES = {".txt": "text/plain", ".csv": "text/csv", ".eml": "message/rfc822", ".webp": "image/webp"}


log = logging.getLogger(__name__)


class DownloadFailed(Exception):
    """The platform did not hand over a file it announced."""


@dataclass(frozen=True)
class Refusal:
    """Why a file was not accepted: 'too_big', 'wrong_type', 'empty', 'too_many' or 'download_failed'."""

    name: str
    reason: str


def guess_type(name: str, declared: str | None) -> str:
    """Platforms often send 'application/octet-stream'; the file name is a better witness then."""
    if declared and declared != "application/octet-stream":
        return declared.split(";")[0].strip().lower()
    suffix = Path(name).suffix.lower()
    return _EXTENSION_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


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

    def precheck(self, attachment: Attachment) -> Refusal | None:
        """Checks what the platform told us before downloading anything."""
        if attachment.size > self.max_bytes:
            return Refusal(attachment.name, "too_big")
        if guess_type(attachment.name, attachment.mime_type) not in self.allowed_types:
            return Refusal(attachment.name, "wrong_type")
        return None

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
    ) -> Evidence | Refusal:
        """Downloads, checks again what was really received, and records it with its sha256."""
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
        digest = hashlib.sha256(data).hexdigest()
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
            mime_type=guess_type(attachment.name, attachment.mime_type),
            size=len(data),
            sha256=digest,
            storage_path=str(path),
            received_at=self.clock.now(),
            source=source,
            caption=caption[:1000] or None,
        )
        session.add(evidence)
        session.flush()
        return evidence

    def discard(self, session: Session, evidence: Evidence) -> None:
        """Forgets a file the user withdrew; its bytes go too unless another record still needs them."""
        session.delete(evidence)
        session.flush()
        others = session.exec(select(Evidence.id).where(Evidence.sha256 == evidence.sha256)).first()
        if others is None:
            Path(evidence.storage_path).unlink(missing_ok=True)

    def read(self, evidence: Evidence) -> bytes:
        """The stored bytes, verified against the recorded sha256."""
        data = Path(evidence.storage_path).read_bytes()
        if hashlib.sha256(data).hexdigest() != evidence.sha256:
            raise ValueError(f"evidence {evidence.id} does not match its recorded sha256")
        return data


def _safe_name(name: str) -> str:
    """A name that is only ever a label: no folders, no leading dots, nothing unprintable."""
    cleaned = "".join(ch for ch in Path(name.replace("\\", "/")).name if ch.isprintable()).strip().lstrip(".")
    return (cleaned or "file")[:200]


def _failed() -> bytes:
    raise DownloadFailed()


def _returning(data: bytes) -> Callable[[], bytes]:
    return lambda: data
