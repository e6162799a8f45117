"""A turn's replies as outbox rows: queued in the turn's transaction, sent by the channel straight after.

So the answer to a message is as durable as a notification: if the process dies before sending it,
or the platform says "slow down", a delivery worker sends it later, in the chat's order.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session

from bot.core.capabilities import UNLIMITED, Capabilities
from bot.core.events import Inbound, Reply
from bot.core.outbox import REPLY_KIND, Notification, Outbound, Outbox

# What a user is told when their message could not be handled: it says so, and that nothing was lost.
INTERNAL_ERROR = Reply("errors/internal.j2")


@dataclass(frozen=True)
class Handled:
    """What one update produced: the replies, and the outbox rows leased to the caller to send now, in order."""

    replies: list[Reply]
    to_send: list[Outbound] = field(default_factory=list)


def stored(context: dict[str, Any]) -> dict[str, Any]:
    """The context as the outbox keeps it (JSON): dates become ISO strings, which templates format alike."""
    return dict(json.loads(json.dumps(context, default=_iso)))


def _iso(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be stored in the outbox")


def queue_replies(
    session: Session,
    outbox: Outbox,
    inbound: Inbound,
    user_id: int | None,
    replies: Sequence[Reply],
    lease_to: str | None = None,
    reply_to: str | None = None,
    caps: Capabilities = UNLIMITED,
) -> Handled:
    """Adds the replies to the outbox in the caller's transaction, leased to `lease_to` if given,
    each answering the message `reply_to` if given.

    A reply that is the new state of the pressed message edits it only where the channel edits
    messages (`caps`); elsewhere it is sent as a new message.

    The update itself is handled once (its id is recorded in the same transaction), so each reply
    gets a fresh key rather than one derived from the update.
    """
    base = f"reply:{uuid.uuid4().hex}"
    identity = inbound.identity
    notes = [
        Notification(
            dedupe_key=f"{base}:{index}",
            channel=identity.channel,
            chat_id=identity.chat_id,
            template=reply.template,
            context=stored(reply.context),
            kind=REPLY_KIND,
            user_id=user_id,
            buttons=reply.buttons,
            edit_message_id=inbound.pressed_message_id if reply.replaces_buttons and caps.edits_messages else None,
            reply_to=reply_to,
            expects=reply.expects,
        )
        for index, reply in enumerate(replies)
    ]
    return Handled(list(replies), outbox.add_all(session, notes, lease_to) if notes else [])
