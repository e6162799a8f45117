"""A DM is kept before Slack gets its 200, so a process that dies right after the answer loses nothing."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

import pytest
from sqlmodel import select

from bot.channels.slack.channel import SlackChannel
from bot.channels.slack.tasks import Background
from bot.store.models import InboxUpdate
from tests.channels.slack.conftest import SlackHarness


def kept(slack: SlackHarness) -> list[InboxUpdate]:
    with slack.desk.db.session() as session:
        return list(session.exec(select(InboxUpdate).where(InboxUpdate.channel == "slack")))


async def test_a_dm_is_in_the_database_when_slack_gets_its_200_and_a_restart_handles_it(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def dies_after_the_answer(_tasks: Background, _key: str, work: Coroutine[Any, Any, None]) -> None:
        work.close()  # the process is killed before it gets to the work

    with monkeypatch.context() as patched:
        patched.setattr(Background, "spawn", dies_after_the_answer)
        response = await slack.dm("U1", "status", event_id="EvKEPT")

    assert response.status_code == 200
    [row] = kept(slack)
    assert row.update_id == "EvKEPT" and row.handled_at is None and row.payload["event"]["text"] == "status"
    assert slack.fake.messages("DU1") == []

    restarted = SlackChannel(slack.desk, slack.desk.settings)
    await restarted.start()
    await restarted.stop()

    [reply] = slack.fake.messages("DU1")
    assert "appeal" in reply["text"].lower()
    assert kept(slack)[0].handled_at is not None


async def test_a_retry_of_a_kept_event_is_not_handled_again_even_before_it_is_done(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    spawned: list[str] = []

    def records(_tasks: Background, key: str, work: Coroutine[Any, Any, None]) -> None:
        spawned.append(key)
        work.close()

    monkeypatch.setattr(Background, "spawn", records)
    await slack.dm("U1", "hi", event_id="EvONCE")
    await slack.dm("U1", "hi", event_id="EvONCE", headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "timeout"})

    assert spawned == ["U1"] and len(kept(slack)) == 1


async def test_a_dm_whose_handling_fails_once_is_tried_again_at_once(slack: SlackHarness) -> None:
    slack.fake.add_file("F1", "booking.pdf", "application/pdf", b"%PDF-1.4 travel booking")
    slack.fake.fail("files.info", "internal_error")

    await slack.dm("U1", "status", files=["F1"], event_id="EvHICCUP")

    assert "appeal" in slack.last_text("DU1").lower()
    [row] = kept(slack)
    assert row.attempts == 1 and row.handled_at is not None and row.failed_at is None


async def test_a_dm_that_keeps_failing_before_the_core_is_given_up_after_three_attempts_and_the_user_is_told(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    slack.fake.add_file("F1", "oleg-petrenko-passport.pdf", "application/pdf", b"%PDF-1.4 passport")
    for _ in range(3):
        slack.fake.fail("files.info", "internal_error")

    await slack.dm("U1", "here is my passport", files=["F1"], event_id="EvPOISON")

    [sorry] = slack.fake.messages("DU1")
    assert "something went wrong on our side" in slack.last_text("DU1") and sorry["channel"] == "DU1"
    [row] = kept(slack)
    assert row.attempts == 3 and row.failed_at is not None and row.handled_at is None
    [given_up] = [record for record in caplog.records if "given up" in record.getMessage()]
    assert given_up.levelname == "ERROR" and f"inbox row {row.id}" in given_up.getMessage()
    assert not any(word in given_up.getMessage() for word in ("U1", "DU1", "passport", "EvPOISON"))

    looked_up = len(slack.fake.to("files.info"))
    restarted = SlackChannel(slack.desk, slack.desk.settings)
    await restarted.start()
    await restarted.stop()

    assert len(slack.fake.to("files.info")) == looked_up  # not replayed
    assert len(slack.fake.messages("DU1")) == 1
