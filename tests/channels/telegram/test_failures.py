"""A private chat's update whose handler fails before the core answers is tried again, then given up with an apology.

python-telegram-bot hands a handler's exception to the channel's error handler, which applies the
core's rule for kept updates, as Slack's direct messages do: tried again at once, and after three
failures the user is told through the outbox that something went wrong, and a product error names
the inbox row only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from sqlmodel import select

from bot.channels.telegram import handlers
from bot.core.events import Attachment
from bot.store.models import InboxUpdate, OutboxMessage
from tests.channels.telegram.conftest import OLEG
from tests.fakes.telegram_bot_api import FakeBotApi
from tests.fakes.telegram_harness import EVIDENCE_PDF, TelegramHarness

PASSPORT = "oleg-petrenko-passport.pdf"


def unreadable(times: int) -> Callable[..., tuple[Attachment, ...]]:
    """The adapter's reading of a file, failing the first `times` calls (before the core is asked)."""
    read = handlers.attachments_of
    calls = 0

    def attachments_of(*args: object) -> tuple[Attachment, ...]:
        nonlocal calls
        calls += 1
        if calls <= times:
            raise RuntimeError("the document's description could not be read")
        return read(*args)  # type: ignore[arg-type]

    return attachments_of


def kept(bot: TelegramHarness) -> InboxUpdate:
    with bot.desk.db.session() as session:
        [row] = session.exec(select(InboxUpdate).where(InboxUpdate.channel == "telegram")).all()
        return row


def received(api: FakeBotApi) -> list[str]:
    return [call.text for call in api.calls("sendMessage", chat_id=OLEG.id) if call.error is None]


async def test_a_private_message_whose_handler_fails_once_is_tried_again_at_once_and_answered(
    bot: TelegramHarness, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handlers, "attachments_of", unreadable(times=1))

    await bot.sends_document(OLEG, EVIDENCE_PDF, "booking.pdf", "application/pdf")

    [answer] = received(api)
    assert "something went wrong" not in answer
    row = kept(bot)
    assert row.attempts == 1 and row.handled_at is not None and row.failed_at is None


async def test_a_private_message_whose_handler_keeps_failing_is_given_up_and_the_user_told_through_the_outbox(
    bot: TelegramHarness, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(handlers, "attachments_of", unreadable(times=3))

    await bot.sends_document(OLEG, EVIDENCE_PDF, PASSPORT, "application/pdf")

    [sorry] = received(api)
    assert "something went wrong on our side" in sorry
    with bot.desk.db.session() as session:
        [row] = session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == str(OLEG.id))).all()
    assert (row.template, row.kind, row.status) == ("errors/internal.j2", "reply", "sent")
    update = kept(bot)
    assert update.attempts == 3 and update.failed_at is not None and update.handled_at is None
    [given_up] = [record for record in caplog.records if "given up" in record.getMessage()]
    assert given_up.levelno == logging.ERROR and f"inbox row {update.id}" in given_up.getMessage()
    errors = " ".join(record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR)
    assert not any(word in errors for word in (str(OLEG.id), OLEG.first_name, PASSPORT))

    await bot.stop()
    await bot.start()  # a restart does not replay what was given up

    assert received(api) == [sorry]
