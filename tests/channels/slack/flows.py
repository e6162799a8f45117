"""A complete appeal through the Slack DM, the way a freelancer would do it."""

from __future__ import annotations

from tests.channels.slack.conftest import SlackHarness

EXPLANATION = "I was travelling in Portugal and used my usual VPN for client work, nothing else changed."


async def appeal_in_dm(
    slack: SlackHarness, user: str, account: str = "olegz_dev", explanation: str = EXPLANATION
) -> str:
    """Walks the whole intake with text and button taps; returns the ticket reference."""
    await slack.dm(user, "hi")
    await slack.press(user, "Start appeal")
    await slack.dm(user, account)
    await slack.press(user, "Permanently suspended")
    await slack.dm(user, "yesterday")
    await slack.dm(user, "none")
    await slack.dm(user, "no reason")
    await slack.dm(user, "2019")
    await slack.press(user, "Top Rated")
    await slack.press(user, "Skip")
    await slack.press(user, "VPN or travel")
    await slack.press(user, "Done")
    await slack.dm(user, explanation)
    await slack.press(user, "That's all")
    slack.fake.add_file(f"F{user}", "booking.pdf", "application/pdf", b"%PDF-1.4 travel booking")
    await slack.dm(user, "", files=[f"F{user}"])
    await slack.press(user, "Done, no more files")
    await slack.dm(user, "here")
    await slack.dm(user, "yes")
    await slack.press(user, "Send appeal")
    text = slack.last_text("D" + user)
    assert "Your reference is" in text, text
    return text.split("Your reference is *", 1)[1].split("*", 1)[0]
