"""Bad input through the real Slack app: every click gets an answer, and no name or file name reads backwards."""

from __future__ import annotations

import json

import pytest

from tests.channels.slack.conftest import AGENT, AGENTS_CHANNEL, SlackHarness
from tests.channels.slack.flows import appeal_in_dm

STALE = "That button belongs to an earlier message"
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@pytest.mark.parametrize(("user", "channel"), [("U1", "DU1"), (AGENT, AGENTS_CHANNEL)])
async def test_a_button_with_an_unknown_action_id_is_answered_as_stale(
    slack: SlackHarness, user: str, channel: str
) -> None:
    response = await slack.action(user, "v0:retired-button", "whatever", channel)

    assert response.status_code == 200
    notes = slack.fake.to("chat.postEphemeral", channel=channel, user=user)
    assert len(notes) == 1 and STALE in notes[0]["text"]


async def test_bidirectional_controls_in_a_name_and_a_file_name_are_dropped_from_the_card(
    slack: SlackHarness,
) -> None:
    slack.fake.names["U7"] = "Oleg\u202enimda"
    reference = await appeal_in_dm(slack, "U7")
    slack.fake.add_file("FRLO", "photo\u202egpj.pdf", "application/pdf", b"%PDF-1.4 receipt")
    await slack.dm("U7", "", files=["FRLO"])
    await slack.deliver()

    cards = slack.fake.to("chat.postMessage", channel=AGENTS_CHANNEL) + slack.fake.to("chat.update")
    latest = cards[-1]["text"]
    assert reference in latest and "Olegnimda" in latest and "photogpj.pdf" in latest
    sent = json.dumps(cards, ensure_ascii=False)
    assert not any(ch in sent for ch in BIDI)
