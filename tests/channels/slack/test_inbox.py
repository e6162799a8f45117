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
