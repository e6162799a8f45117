"""Agents work a ticket from its card in the agents' channel."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.core.clock import ManualClock
from bot.core.events import Identity, Inbound
from bot.store.models import OutboxMessage, Ticket, TicketEvent
from tests.channels.slack.conftest import AGENT, AGENTS_CHANNEL, SUPERVISOR, SlackHarness, choose, typed
from tests.channels.slack.flows import appeal_in_dm
from tests.chat import open_question


def ticket(slack: SlackHarness, reference: str) -> Ticket:
    with slack.desk.db.session() as session:
        return session.exec(select(Ticket).where(Ticket.reference == reference)).one()


async def test_card_claim_request_info_and_resolve(slack: SlackHarness) -> None:
    reference = await appeal_in_dm(slack, "U1", account="me@example.com")
    await slack.dm("U1", "You can call me on +44 7911 123456 any time.")
    await slack.deliver()

    posted = slack.fake.to("chat.postMessage", channel=AGENTS_CHANNEL)
    card = next(call for call in posted if "thread_ts" not in call)
    assert reference in card["text"] and "Still needed" in card["text"]
    assert "me@example.com" not in str(card) and "7911 123456" not in slack.fake.everything_sent()
    assert [e["action_id"] for e in card["blocks"][-1]["elements"]] == [
        "agent:claim",
        "agent:info",
        "agent:reply",
        "agent:note",
        "agent:resolve",
        "agent:details",
    ]
    card_ts = slack.desk.cards.get(ticket(slack, reference).id or 0, "slack")
    assert card_ts is not None

    # Claim: the card is edited in place, the history goes to its thread, the user is told
    await slack.action(AGENT, *slack.card_button("claim"), AGENTS_CHANNEL)
    assert ticket(slack, reference).status == "in_review"
    await slack.deliver()
    update = slack.fake.to("chat.update", channel=AGENTS_CHANNEL)[-1]
    assert update["ts"] == card_ts.message_id and "In review" in update["text"]
    assert any("claimed it" in call["text"] for call in slack.fake.to("chat.postMessage", thread_ts=card_ts.message_id))
    assert "reviewer" in slack.last_text("DU1").lower()

    # Request info: a modal, then the question reaches the user, and their answer lands on the ticket
    await slack.action(AGENT, *slack.card_button("info"), AGENTS_CHANNEL)
    assert slack.fake.to("views.open")[-1]["view"]["callback_id"] == "agent_info"
    response = await slack.submit(AGENT, "agent_info", {"message": typed("Please send your booking.")}, reference)
    assert response.status_code == 200 and not response.content
    await slack.deliver()
    assert "Please send your booking." in slack.last_text("DU1")
    await slack.dm("U1", "Here is the booking number: ABC123")
    assert ticket(slack, reference).status == "in_review"
    with slack.desk.db.session() as session:
        reply = session.exec(select(TicketEvent).where(TicketEvent.action == "user_reply")).one()
    assert reply.public_message == "Here is the booking number: ABC123"

    # Add note: internal, marked as such in the thread
    await slack.submit(AGENT, "agent_note", {"message": typed("Booking checked with the airline.")}, reference)
    await slack.deliver()
    thread = [call["text"] for call in slack.fake.to("chat.postMessage", thread_ts=card_ts.message_id)]
    assert any("Internal note, not sent to the user" in text and "airline" in text for text in thread)

    # Resolve: the categories read by their labels; a refused decision shows inline; a complete one
    # reaches the user with its reasons
    await slack.action(AGENT, *slack.card_button("resolve"), AGENTS_CHANNEL)
    modal = slack.fake.to("views.open")[-1]["view"]
    [reason] = [block for block in modal["blocks"] if block.get("block_id") == "reason"]
    options = [(option["text"]["text"], option["value"]) for option in reason["element"]["options"]]
    assert ("Location or VPN", "location-or-vpn") in options
    values = {
        "outcome": choose("reinstated"),
        "reason": choose("location-or-vpn"),
        "facts": typed("Login history 12-19 Nov, booking"),
        "explanation": typed("short"),
    }
    response = await slack.submit(AGENT, "agent_resolve", values, reference)
    assert response.json()["response_action"] == "errors"
    assert "explanation" in response.json()["errors"]
    values["explanation"] = typed("The logins came from a VPN server you used while travelling.")
    response = await slack.submit(AGENT, "agent_resolve", values, reference)
    assert response.status_code == 200 and not response.content
    assert ticket(slack, reference).status == "resolved"
    await slack.deliver()
    told = slack.last_text("DU1")
    assert "has been decided" in told and "your account is reinstated" in told
    assert "VPN server you used while travelling" in told and "Login history 12-19 Nov" in told
    final = slack.fake.to("chat.update", channel=AGENTS_CHANNEL)[-1]
    assert [e["action_id"] for e in final["blocks"][-1]["elements"]] == ["agent:note", "agent:reopen", "agent:details"]


async def test_view_details_shows_personal_data_to_the_agent_and_logs_it(slack: SlackHarness) -> None:
    reference = await appeal_in_dm(slack, "U1", account="me@example.com")
    await slack.deliver()
    await slack.action(AGENT, *slack.card_button("details"), AGENTS_CHANNEL)
    details = slack.fake.to("views.open")[-1]["view"]
    assert "me@example.com" in str(details["blocks"])
    with slack.desk.db.session() as session:
        viewed = session.exec(select(TicketEvent).where(TicketEvent.action == "viewed")).one()
    assert viewed.actor == "slack:uagent" and ticket(slack, reference).id == viewed.ticket_id


async def test_someone_who_is_not_an_agent_gets_an_ephemeral_refusal(slack: SlackHarness) -> None:
    reference = await appeal_in_dm(slack, "U1")
    await slack.deliver()
    for name in ("claim", "resolve"):
        await slack.action("UOTHER", *slack.card_button(name), AGENTS_CHANNEL)
    refusals = slack.fake.to("chat.postEphemeral", user="UOTHER", channel=AGENTS_CHANNEL)
    assert len(refusals) == 2 and "only support agents" in refusals[0]["text"]
    assert slack.fake.to("views.open") == []
    assert ticket(slack, reference).status == "new"
    response = await slack.submit("UOTHER", "agent_note", {"message": typed("sneaky")}, reference)
    assert response.json()["response_action"] == "errors"


async def test_a_ticket_opened_on_telegram_is_resolved_from_slack(slack: SlackHarness) -> None:
    identity = Identity("telegram", "42", "42")
    answers = [
        "/appeal",
        "tg_user_42",
        "permanent",
        "yesterday",
        "none",
        "no reason",
        "skip",
        "skip",
        "skip",
        "vpn",
        "The logins came from my travel to Lisbon, I used a VPN for my client's work.",
        "that's all",
        "done",
        "here",
        "yes",
        "send",
    ]
    for n, text in enumerate(answers):
        slack.desk.handle(Inbound(identity, text=text, update_id=f"tg-{n}"))
    with slack.desk.db.session() as session:
        opened = session.exec(select(Ticket)).one()
    reference = opened.reference or ""
    await slack.deliver()
    await slack.action(AGENT, *slack.card_button("claim"), AGENTS_CHANNEL)
    values = {
        "outcome": choose("upheld"),
        "reason": choose("multiple-accounts"),
        "facts": typed("Two accounts share one payout method."),
        "explanation": typed("Your account shares a payout method with another account."),
        "again": choose("no", "radio_buttons"),
    }
    response = await slack.submit(AGENT, "agent_resolve", values, reference)
    assert not response.content
    with slack.desk.db.session() as session:
        rows = list(session.exec(select(OutboxMessage).where(OutboxMessage.channel == "telegram")))
    resolved = [row for row in rows if row.template == "notify/resolved.j2"]
    assert resolved and resolved[0].chat_id == "42"
    assert resolved[0].context["ticket"]["outcome"] == "upheld"
    assert "payout method" in resolved[0].context["ticket"]["public_explanation"]


async def test_a_question_is_resolved_from_an_answer_modal(slack: SlackHarness) -> None:
    reference = open_question(slack.desk, "Can I invoice a client I met here directly?", Identity("slack", "U1", "DU1"))
    await slack.deliver()
    await slack.action(AGENT, *slack.card_button("resolve"), AGENTS_CHANNEL)
    view = slack.fake.to("views.open")[-1]["view"]
    assert [block.get("block_id") for block in view["blocks"] if block["type"] == "input"] == ["explanation"]
    assert view["title"]["text"] == "Answer the question"

    answer = typed("No: clients you met here are paid through us, never directly.")
    response = await slack.submit(AGENT, "agent_resolve", {"explanation": answer}, reference)
    assert response.status_code == 200 and not response.content
    answered = ticket(slack, reference)
    assert (answered.status, answered.outcome, answered.reason_category) == (
        "resolved",
        "answered",
        "question-answered",
    )
    await slack.deliver()
    assert "has been answered" in slack.last_text("DU1") and "paid through us" in slack.last_text("DU1")


async def test_a_supervisor_gets_a_dm_when_a_ticket_is_late_and_may_act_on_it(
    slack: SlackHarness, clock: ManualClock
) -> None:
    reference = await appeal_in_dm(slack, "U1", account="me@example.com")
    await slack.deliver()
    clock.advance(hours=slack.desk.settings.first_response_hours + 1)
    assert slack.desk.scheduler.run_once().escalations == 1
    await slack.deliver()

    [alert] = slack.fake.to("chat.postMessage", channel=SUPERVISOR)
    assert f"*{reference}* is late" in alert["text"] and "me@example.com" not in str(alert)
    assert "told their supervisor" in slack.last_text("DU1")
    await slack.action(SUPERVISOR, *slack.card_button("claim"), AGENTS_CHANNEL)
    assert ticket(slack, reference).assignee == "slack:ulead"


async def test_the_appeal_again_date_is_typed_as_on_every_surface_and_a_past_one_is_refused_inline(
    slack: SlackHarness,
) -> None:
    reference = await appeal_in_dm(slack, "U1")
    await slack.deliver()
    await slack.action(AGENT, *slack.card_button("resolve"), AGENTS_CHANNEL)
    modal = slack.fake.to("views.open")[-1]["view"]
    field = next(block for block in modal["blocks"] if block.get("block_id") == "again_after")
    assert field["element"]["type"] == "plain_text_input" and "in 30 days" in field["element"]["placeholder"]["text"]
    values = {
        "outcome": choose("upheld"),
        "reason": choose("multiple-accounts"),
        "facts": typed("Two accounts share one payout method."),
        "explanation": typed("Your account shares a payout method with another account."),
        "again": choose("yes", "radio_buttons"),
        "again_after": typed("1 January 2020"),
    }
    response = await slack.submit(AGENT, "agent_resolve", values, reference)
    assert "has already passed" in response.json()["errors"]["again_after"]
    values["again_after"] = typed("in 30 days")
    response = await slack.submit(AGENT, "agent_resolve", values, reference)
    assert not response.content
    decided = ticket(slack, reference).appeal_again_after
    assert decided is not None and decided.date() == (slack.desk.clock.now() + timedelta(days=30)).date()
