"""What Telegram's answer to a send means for the outbox, in one place.

Only a real "this person is gone" (the bot was blocked, the user deactivated, the chat not found)
makes a recipient undeliverable. Any other 400 is Telegram refusing what we sent (markup it cannot
parse, button data over 64 bytes, a message too long): that is our error, never the user's, and the
outbox retries it once as plain text. Flood control waits as long as Telegram asks; network
trouble and 5xx answers are retried.
"""

from __future__ import annotations

import logging
import warnings
from datetime import timedelta

from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot.core.outbox import DeliveryResult, Rejected, RetryLater, Undeliverable

log = logging.getLogger(__name__)

# 400 answers that say the chat or the person is no longer there (or lets the bot write no more).
GONE = (
    "chat not found",
    "user not found",
    "peer_id_invalid",
    "user is deactivated",
    "chat was deactivated",
    "bot was kicked",
    "not enough rights to send",
    "have no rights to send",
)


def result_of(error: TelegramError, chat_id: str) -> DeliveryResult:
    """The outbox's result for a send Telegram did not take."""
    if isinstance(error, RetryAfter):
        return RetryLater(str(error), retry_after=retry_after_seconds(error))
    if isinstance(error, Forbidden):
        return Undeliverable(error.message)
    if isinstance(error, ChatMigrated):
        log.warning("chat %s is now %s: update the configuration", chat_id, error.new_chat_id)
        return Undeliverable(error.message)
    if isinstance(error, BadRequest):
        description = error.message.lower()
        if any(gone in description for gone in GONE):
            return Undeliverable(error.message)
        return Rejected(own_output_code(description))
    # network trouble, 5xx, and whatever else Telegram may answer: worth another try
    return RetryLater(f"{type(error).__name__}: {error.message}")


def own_output_code(description: str) -> str:
    """The kind of refusal without its details ("can't parse entities"), which may quote the text sent."""
    reason = description.removeprefix("bad request:").strip()
    return reason.split(":", 1)[0].strip() or "bad request"


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
