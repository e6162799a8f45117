"""The agents' channel never reads the user's personal data, however the user quotes it."""

from __future__ import annotations

from sqlmodel import select

from bot.store.models import Ticket
from tests.channels.slack.conftest import AGENT, AGENTS_CHANNEL, SlackHarness, typed
from tests.channels.slack.flows import appeal_in_dm

PROFILE = "https://www.workmarket.com/freelancers/~olegz"
HIDDEN = "[hidden here - View details]"


async def test_what_the_user_quotes_of_their_personal_data_is_hidden_on_the_card_and_in_its_thread(
    slack: SlackHarness,
) -> None:
    explanation = f"My profile {PROFILE} was suspended for no reason; olegz is the handle I have used for years."
    reference = await appeal_in_dm(slack, "U1", account=PROFILE, explanation=explanation)
    await slack.submit(AGENT, "agent_info", {"message": typed("Which account do you get paid to?")}, reference)
    await slack.deliver()
    slack.fake.add_file("FID", "olegz passport.pdf", "application/pdf", b"%PDF-1.4 passport")
    await slack.dm("U1", "IBAN DE89 3704 0044 0532 0130 00, call me on +351 912 345 678", files=["FID"])
    await slack.deliver()
    with slack.desk.db.session() as session:
        assert session.exec(select(Ticket)).one().status == "in_review"  # the reply reached the ticket

    to_agents = slack.fake.to("chat.postMessage", channel=AGENTS_CHANNEL) + slack.fake.to("chat.update")
    everything = "\n".join(str(call["text"]) + str(call.get("blocks")) for call in to_agents)
    for personal in ("olegz", "workmarket.com/freelancers", "DE89", "0532 0130", "912 345 678"):
        assert personal not in everything
    card = slack.fake.to("chat.update", channel=AGENTS_CHANNEL)[-1]["text"]
    assert f"Account*: {HIDDEN}" in card and f"{HIDDEN} passport.pdf" in card
    assert f"{HIDDEN} is the handle I have used for years." in card
    thread = [call["text"] for call in slack.fake.to("chat.postMessage", channel=AGENTS_CHANNEL) if "thread_ts" in call]
    assert any(f"IBAN {HIDDEN}, call me on {HIDDEN}" in text for text in thread)
