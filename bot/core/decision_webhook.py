"""The decision webhook: each appeal's decision sent to the marketplace, signed, through the outbox.

The platform lifts (or keeps) a suspension on the strength of this call, so it must arrive, and it
must be ours. It rides the outbox like any message, one lane per ticket (a ticket's decisions arrive
in order; a slow receiver holds up no one else), with the outbox's retries and backoff; a call that
never gets through is recorded on the ticket and told to the supervisors. Every attempt is signed
afresh: HMAC-SHA256 over `timestamp.body` with the shared secret, so the receiver can refuse a
replay outside its window and still accept our retries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from bot.core.outbox import Delivered, DeliveryResult, Notification, Outbound, RetryLater
from bot.store.models import Ticket, TicketEvent

# The outbox's channel for these calls: only a worker whose senders include it claims them.
WEBHOOK_CHANNEL = "platform-webhook"
WEBHOOK_KIND = "webhook"
DECIDED = "appeal.decided"
SIGNATURE_HEADER = "AppealDesk-Signature"
TIMESTAMP_HEADER = "AppealDesk-Timestamp"
EVENT_HEADER = "AppealDesk-Event"
DELIVERY_HEADER = "AppealDesk-Delivery"
REPLAY_WINDOW_SECONDS = 300


def decision_call(ticket: Ticket, event: TicketEvent, reference: str) -> Notification:
    """The call that tells the platform of a decision, queued in the decision's own transaction.

    It carries what the platform needs to act, and what the user was told; never internal notes.
    `delivery` is unique per decision, so a receiver that sees it twice (our retry after its
    answer was lost) can tell.
    """
    delivery = f"decision-{event.id}"
    payload: dict[str, Any] = {
        "event": DECIDED,
        "delivery": delivery,
        "ticket": reference,
        "account": ticket.account_key,
        "outcome": ticket.outcome,
        "reason_category": ticket.reason_category,
        "public_explanation": ticket.public_explanation,
        "may_appeal_again": ticket.may_appeal_again,
        "appeal_again_after": _iso(ticket.appeal_again_after),
        "decided_at": _iso(ticket.resolved_at),
        "decided_by": event.actor,
    }
    return Notification(
        dedupe_key=f"webhook:{delivery}",
        channel=WEBHOOK_CHANNEL,
        chat_id=reference,
        kind=WEBHOOK_KIND,
        template=DECIDED,
        context=payload,
        ticket_id=ticket.id,
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def body_of(payload: dict[str, Any]) -> bytes:
    """The exact bytes that are signed and sent: the same payload always gives the same body."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(
    secret: str, body: bytes, timestamp: str, signed: str, now: float, window: float = REPLAY_WINDOW_SECONDS
) -> bool:
    """What a receiver checks: the signature is ours, over this body, and the call is recent."""
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent_at) > window:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), signed)


class WebhookSender:
    """Posts the outbox's webhook rows to the platform; anything but a 2xx answer is tried again."""

    channel = WEBHOOK_CHANNEL

    def __init__(
        self,
        url: str,
        secret: str,
        client: httpx.AsyncClient | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.secret = secret
        self.client = client or httpx.AsyncClient(timeout=10.0)
        self.now = now

    async def send(self, message: Outbound) -> DeliveryResult:
        body = body_of(message.context)
        timestamp = str(int(self.now()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "AppealDesk",
            EVENT_HEADER: message.template,
            DELIVERY_HEADER: str(message.context.get("delivery", "")),
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(self.secret, timestamp, body),
        }
        try:
            response = await self.client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as error:
            return RetryLater(f"{type(error).__name__}: {error}")
        if response.is_success:
            return Delivered()
        return RetryLater(f"the platform answered {response.status_code}", _retry_after(response))

    async def close(self) -> None:
        await self.client.aclose()


def _retry_after(response: httpx.Response) -> float | None:
    """A 429 or 503 may say when to come back (in seconds); a date or nonsense is ignored."""
    value = response.headers.get("Retry-After", "")
    return float(value) if value.isdigit() else None
