"""Freelancers in their DM with the app: the guided intake, files, escaping, retries and signatures."""

from __future__ import annotations

from sqlmodel import select

from bot.store.models import Conversation, Evidence, ProcessedUpdate, Ticket
from tests.channels.slack.conftest import ADMIN, AGENTS_CHANNEL, SlackHarness
from tests.channels.slack.flows import appeal_in_dm


async def test_complete_dm_intake_opens_a_ticket_with_file_evidence(slack: SlackHarness) -> None:
    reference = await appeal_in_dm(slack, "U1")

    with slack.desk.db.session() as session:
        ticket = session.exec(select(Ticket).where(Ticket.reference == reference)).one()
        files = list(session.exec(select(Evidence).where(Evidence.ticket_id == ticket.id)))
    assert ticket.answers["account"]["value"] == "olegz_dev"
    assert ticket.answers["triggers"]["value"] == ["vpn_travel"]
    assert ticket.answers["evidence"]["value"] == [files[0].id]
    assert [(item.name, item.size) for item in files] == [("booking.pdf", len(b"%PDF-1.4 travel booking"))]
    assert slack.fake.downloads == ["FU1"]
    assert slack.fake.to("files.info", file="FU1")
    # the multi-choice toggle edited the pressed message in place
    assert any("✓ VPN or travel" in str(call["blocks"]) for call in slack.fake.to("chat.update", channel="DU1"))
    # a new ticket's card goes to the agents' channel with the outbox
    await slack.deliver()
    card = slack.fake.to("chat.postMessage", channel=AGENTS_CHANNEL)[0]
    assert reference in card["text"]


async def test_texts_name_commands_as_slack_users_type_them(slack: SlackHarness) -> None:
    await slack.dm("U1", "thanks")
    said = slack.fake.to("chat.postMessage", channel="DU1")[-1]["text"]
    assert "/appeal status for your appeals, or /appeal human for a person" in said


async def test_users_text_is_escaped_in_everything_posted(slack: SlackHarness) -> None:
    # what Slack delivers when a user types these characters, plus a real @here mention
    typed = "&lt;!channel&gt; *x* &lt;https://evil|click&gt; <!here> is my story, and it is long enough now"
    await appeal_in_dm(slack, "U1", explanation=typed)
    await slack.deliver()

    sent = slack.fake.everything_sent()
    assert "<!channel>" not in sent and "<!here>" not in sent and "<https://evil" not in sent
    assert "&lt;!channel&gt; *x* &lt;https://evil|click&gt; @here" in sent
    card = slack.fake.to("chat.postMessage", channel=AGENTS_CHANNEL)[0]
    assert "&lt;!channel&gt;" in str(card["blocks"])


async def test_a_retried_event_changes_nothing(slack: SlackHarness) -> None:
    await slack.dm("U1", "hi", event_id="EvSAME")
    calls = len(slack.fake.calls)
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "timeout"}
    response = await slack.dm("U1", "hi", event_id="EvSAME", headers=retry)
    assert response.status_code == 200
    assert len(slack.fake.calls) == calls
    with slack.desk.db.session() as session:
        assert len(list(session.exec(select(ProcessedUpdate)))) == 1


async def test_a_bad_signature_is_refused_and_nothing_happens(slack: SlackHarness) -> None:
    body = '{"type": "event_callback", "event_id": "Ev1", "event": {"type": "message", "channel_type": "im", "channel": "DU1", "user": "U1", "text": "hi"}}'
    headers = slack.signed(body, secret="not-the-secret")
    response = await slack.http.post("/slack/events", content=body, headers=headers)
    await slack.channel.deps.tasks.drain()
    assert response.status_code == 401
    assert slack.fake.messages("DU1") == []
    assert slack.desk.user_of("slack", "U1") is None


async def test_files_in_reply_to_an_agents_question_land_on_the_ticket(slack: SlackHarness) -> None:
    reference = await appeal_in_dm(slack, "U1")
    slack.desk.tickets.request_info(
        reference,
        __import__("bot.core.tickets.actors", fromlist=["Actor"]).Actor("slack", "UAGENT"),
        "Please send the travel booking.",
    )
    slack.fake.add_file("F2", "ticket.png", "image/png", b"\x89PNG travel")
    await slack.dm("U1", "here it is", files=["F2"])
    assert "I added your answer" in slack.last_text("DU1")
    with slack.desk.db.session() as session:
        ticket = session.exec(select(Ticket).where(Ticket.reference == reference)).one()
        names = [item.name for item in session.exec(select(Evidence).where(Evidence.ticket_id == ticket.id))]
    assert ticket.status == "in_review"
    assert "ticket.png" in names


async def test_slash_command_starts_the_intake_in_the_dm(slack: SlackHarness) -> None:
    response = await slack.command("U7")
    assert response.status_code == 200
    assert slack.fake.to("conversations.open", users="U7")
    assert "Which account is it?" in slack.last_text("DU7")
    await slack.command("U7", "cancel")
    assert slack.desk.user_of("slack", "U7") is not None


async def test_admins_reach_the_knowledge_base_commands_through_appeal_kb(slack: SlackHarness) -> None:
    await slack.command(ADMIN, "kb test is a VPN allowed?")
    text = slack.last_text("D" + ADMIN)
    assert "Question: _is a VPN allowed?_" in text and "`vpn-and-proxies`" in text  # admin/kb_test.j2

    await slack.command(ADMIN, "kb show vpn-and-proxies")
    assert "Internal notes" in slack.last_text("D" + ADMIN)  # admin/kb_show.j2

    await slack.command("U1", "kb test is a VPN allowed?")
    assert "only for knowledge base admins" in slack.last_text("DU1")  # admin/refused.j2


async def test_the_users_slack_locale_settles_an_ambiguous_date(slack: SlackHarness) -> None:
    slack.fake.locales["U7"] = "en-US"
    await slack.dm("U7", "hi")
    await slack.press("U7", "Start appeal")
    await slack.dm("U7", "olegz_dev")
    await slack.press("U7", "Permanently suspended")
    await slack.dm("U7", "11/05")
    assert "Please paste the message you received" in slack.last_text("DU7")
    with slack.desk.db.session() as session:
        conversation = session.exec(select(Conversation)).one()
    assert conversation.answers["notice_date"]["value"] == "2026-11-05"
