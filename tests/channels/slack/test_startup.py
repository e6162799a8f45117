"""The Slack channel checks its token when it starts: a refused token names the setting to fix."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.channels.slack.channel import SlackChannel
from bot.config import StartupProblem
from tests.channels.slack.conftest import SECRET, TOKEN
from tests.conftest import DeskFactory
from tests.fakes.slack_web_api import FakeSlack


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(TOKEN)
    await fake.start()
    yield fake
    await fake.stop()


async def test_a_token_slack_refuses_is_named(make_desk: DeskFactory, fake: FakeSlack) -> None:
    desk = make_desk(slack_bot_token="xoxb-revoked", slack_signing_secret=SECRET, slack_api_url=fake.api_url)
    with pytest.raises(StartupProblem) as problem:
        await SlackChannel(desk, desk.settings).start()
    assert problem.value.setting == "APPEALDESK_SLACK_BOT_TOKEN" and "invalid_auth" in problem.value.check


async def test_an_unreachable_slack_api_is_named(make_desk: DeskFactory) -> None:
    desk = make_desk(slack_bot_token=TOKEN, slack_signing_secret=SECRET, slack_api_url="http://127.0.0.1:9/api/")
    with pytest.raises(StartupProblem) as problem:
        await SlackChannel(desk, desk.settings).start()
    assert problem.value.setting == "APPEALDESK_SLACK_API_URL" and "cannot reach Slack" in problem.value.check


async def test_a_good_token_starts_the_channel(make_desk: DeskFactory, fake: FakeSlack) -> None:
    desk = make_desk(slack_bot_token=TOKEN, slack_signing_secret=SECRET, slack_api_url=fake.api_url)
    channel = SlackChannel(desk, desk.settings)
    await channel.start()
    await channel.stop()
    assert [call.method for call in fake.calls] == ["auth.test"]


async def test_each_client_keeps_its_connection_between_calls(make_desk: DeskFactory, fake: FakeSlack) -> None:
    desk = make_desk(slack_bot_token=TOKEN, slack_signing_secret=SECRET, slack_api_url=fake.api_url)
    channel = SlackChannel(desk, desk.settings)
    await channel.start_sending()
    await channel.deps.client.auth_test()
    await channel.sender.client.auth_test()
    await channel.sender.client.auth_test()
    await channel.stop()

    interactive, outbox = [call.peer for call in fake.calls[:2]], [call.peer for call in fake.calls[2:]]
    assert len(set(interactive)) == 1 and len(set(outbox)) == 1  # one connection each, not one per call
    assert set(interactive) != set(outbox)  # the outbox's retries never wait behind interactive calls
