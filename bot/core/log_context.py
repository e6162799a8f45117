"""What a log line is about: the update being handled, the ticket, the outbox row.

Set where work starts (a turn in the engine, a kept update in the inbox, a send in the delivery
worker) and stamped on every record by `ContextFilter`, so a JSON log line carries `update_id` and
`ticket` wherever they are known without any call site passing them. Only identifiers, never what
a user wrote or who they are.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar

FIELDS = ("update_id", "ticket", "outbox_id")
_current: ContextVar[dict[str, str] | None] = ContextVar("appealdesk_log_context", default=None)


@contextlib.contextmanager
def bound(**values: object) -> Iterator[None]:
    """A scope whose log lines carry these identifiers (None values are left out), on top of the outer scope's."""
    fields = dict(_current.get() or {})
    fields.update({key: str(value) for key, value in values.items() if value is not None})
    token = _current.set(fields)
    try:
        yield
    finally:
        _current.reset(token)


def note(**values: object) -> None:
    """Adds identifiers learnt inside the current scope (the ticket a turn turned out to be about)."""
    fields = _current.get()
    if fields is not None:
        fields.update({key: str(value) for key, value in values.items() if value is not None})


def current() -> dict[str, str]:
    return dict(_current.get() or {})


class ContextFilter(logging.Filter):
    """Puts the current scope's identifiers on each record, as attributes a formatter can write."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in (_current.get() or {}).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True
