"""Files from the page's upload field as core attachments: the core checks their size and reads their type."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.datastructures import UploadFile

from bot.core.events import Attachment
from bot.core.evidence import guess_type

# The form's text fields are small; files are counted separately.
FIELDS_BYTES = 1024 * 1024


def attachments_of(uploads: Sequence[UploadFile]) -> tuple[Attachment, ...]:
    """Each chosen file, read only if the core accepts what the browser said of it (its size, its type)."""
    return tuple(
        Attachment(
            name=upload.filename or "file",
            mime_type=guess_type(upload.filename or "", upload.content_type),
            size=upload.size or 0,
            fetch=_reader(upload),
        )
        for upload in uploads
    )


def _reader(upload: UploadFile) -> Callable[[], bytes]:
    def read() -> bytes:
        upload.file.seek(0)
        return upload.file.read()

    return read
