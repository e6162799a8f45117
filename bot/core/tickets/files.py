"""An agent's copy of an evidence file: what is handed over, and the two ways of looking at it that are logged."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.store.models import Evidence


class FileUse(StrEnum):
    """The audit event each copy writes: a preview on the ticket page, or the file saved."""

    PREVIEWED = "previewed"
    DOWNLOADED = "downloaded"


REFUSED = "file_refused"  # the audit event of a copy not handed over: the bytes were not the recorded ones


@dataclass(frozen=True)
class FileCopy:
    """The stored bytes, already checked against the sha256 recorded when the file was received."""

    evidence: Evidence
    data: bytes
