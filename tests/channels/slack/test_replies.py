"""Replies in the DM go through the outbox: a 429 from Slack delays a reply, it never drops it."""

from __future__ import annotations

from bot.core.clock import ManualClock
from tests.channels.slack.conftest import SlackHarness


async def test_a_reply_refused_with_429_is_posted_after_retry_after(slack: SlackHarness, clock: ManualClock) -> None:
    slack.fake.fail("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "2"}, channel="DU1")

    response = await slack.dm("U1", "status")

    assert response.status_code == 200
    [refused] = slack.fake.messages("DU1")
    clock.advance(seconds=2)
    await slack.deliver()
    assert slack.fake.messages("DU1") == [refused, refused]  # the same reply, posted again


async def test_every_status_reply_arrives_under_rate_limits(slack: SlackHarness, clock: ManualClock) -> None:
    users = [f"U{n}" for n in range(10)]
    for user in users[::3]:
        slack.fake.fail("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "1"}, channel="D" + user)

    for user in users:
        await slack.dm(user, "status")
    clock.advance(seconds=1)
    await slack.deliver()

    attempts = {user: len(slack.fake.messages("D" + user)) for user in users}
    assert attempts == {user: 2 if user in users[::3] else 1 for user in users}


async def test_a_pressed_message_that_cannot_be_edited_gets_its_new_state_posted(slack: SlackHarness) -> None:
    await slack.dm("U1", "hi")
    await slack.press("U1", "Start appeal")
    await slack.dm("U1", "olegz_dev")
    await slack.press("U1", "Nothing yet, I'm worried")
    await slack.dm("U1", "skip")
    await slack.press("U1", "Skip")
    await slack.press("U1", "Skip")
    posted_before = len(slack.fake.to("chat.postMessage", channel="DU1"))
    slack.fake.fail("chat.update", "message_not_found", channel="DU1")

    await slack.press("U1", "VPN or travel")

    [posted] = slack.fake.to("chat.postMessage", channel="DU1")[posted_before:]
    assert "✓ VPN or travel" in str(posted["blocks"])
