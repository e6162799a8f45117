"""A turn's replies fitted to what the channel's messages hold, decided here so no adapter decides it alone.

A button whose payload the channel cannot carry is left out (logged: it is our bug, and the user still
gets the reply and the other buttons). More buttons than one message carries go, row by row, to
further messages. Where a channel has no buttons at all, the choices are listed as numbers to type,
and the turn keeps which payload each number stands for, so a typed number works as the tap would.
(Whether a pressed message is edited in place is the outbox row's `edit_message_id`, which
`queue_replies` only sets where the channel edits messages.)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.core.capabilities import Capabilities
from bot.core.events import Button, Reply

log = logging.getLogger(__name__)

Rows = tuple[tuple[Button, ...], ...]
# The message that carries the buttons one message could not, and the list of choices to type.
MORE_CHOICES = "choices/more.j2"
TYPED_CHOICES = "choices/typed.j2"


@dataclass(frozen=True)
class Fitted:
    """The replies as the channel gets them, and the payloads of the numbered choices (number 1 first)."""

    replies: list[Reply]
    typed: tuple[str, ...] = ()


def fit(replies: Sequence[Reply], caps: Capabilities) -> Fitted:
    """The replies within `caps`; numbered choices are counted across the turn, so each number is one choice."""
    fitted: list[Reply] = []
    typed: list[str] = []
    for reply in replies:
        rows = usable(reply.buttons, caps)
        if not rows or caps.max_buttons is None or (caps.has_buttons and _count(rows) <= caps.max_buttons):
            fitted.append(replace(reply, buttons=rows))
        elif caps.has_buttons:
            first, *rest = pages(rows, caps.max_buttons)
            fitted.append(replace(reply, buttons=first))
            fitted.extend(Reply(MORE_CHOICES, {}, page) for page in rest)
        else:
            choices = [button for row in rows for button in row]
            listed = [_listed(len(typed) + number, button) for number, button in enumerate(choices, start=1)]
            typed.extend(button.payload for button in choices)
            fitted.append(replace(reply, buttons=()))
            fitted.append(Reply(TYPED_CHOICES, {"choices": listed}, expects="choice"))
    return Fitted(fitted, tuple(typed))


def usable(rows: Sequence[Sequence[Button]], caps: Capabilities) -> Rows:
    """The rows without the buttons whose payload is over the channel's bytes (and without rows left empty)."""
    kept = (tuple(button for button in row if _carried(button, caps)) for row in rows)
    return tuple(row for row in kept if row)


def pages(rows: Rows, limit: int) -> list[Rows]:
    """Rows in groups of at most `limit` buttons, in order; a row longer than that is cut."""
    grouped: list[Rows] = []
    page: list[tuple[Button, ...]] = []
    count = 0
    for row in rows:
        for start in range(0, len(row), limit):
            piece = row[start : start + limit]
            if count + len(piece) > limit:
                grouped.append(tuple(page))
                page, count = [], 0
            page.append(piece)
            count += len(piece)
    if page:
        grouped.append(tuple(page))
    return grouped


def typed_choice(text: str, offered: Sequence[str]) -> str | None:
    """The payload of the listed choice whose number `text` is ("2", "2."), if it is one."""
    number = text.strip().rstrip(".)")
    if number.isdigit() and 1 <= int(number) <= len(offered):
        return offered[int(number) - 1]
    return None


def _count(rows: Rows) -> int:
    return sum(len(row) for row in rows)


def _carried(button: Button, caps: Capabilities) -> bool:
    limit = caps.max_button_data
    if limit is None or len(button.payload.encode()) <= limit:
        return True
    log.warning("left out button %r: payload over %s bytes: %r", button.label, limit, button.payload)
    return False


def _listed(number: int, button: Button) -> dict[str, object]:
    return {"number": number, "label": button.label, "params": button.params, "selected": button.selected}
