"""The key that signs the HTTP server's cookies (console sessions, web chat sessions, CSRF tokens).

An operator sets `APPEALDESK_SECRET_KEY`. The embedded default sets none: a key is generated on the
first start and kept in `APPEALDESK_SECRET_KEY_FILE` (readable by its owner only), so sessions
survive a restart and every process of one installation signs alike.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from bot.config import Settings

KEY_BYTES = 32


def secret_key(settings: Settings) -> str:
    """The configured key, or the kept one, generated the first time it is asked for."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    return _kept_key(settings.secret_key_file)


def _kept_key(path: Path) -> str:
    try:
        return path.read_text("utf-8").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(KEY_BYTES)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process of this installation wrote it first: use theirs
        return path.read_text("utf-8").strip()
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(key + "\n")
    return key
