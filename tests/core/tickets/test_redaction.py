"""The agents' chats never read personal data: the core redacts every card, thread entry and alert it queues."""

from __future__ import annotations

import json

from sqlmodel import col, select

from bot.core.clock import ManualClock
from bot.core.tickets.actors import Actor
from bot.core.tickets.agent_view import AgentCardView
from bot.core.tickets.redaction import Redaction, personal_values
from bot.desk import Desk
from bot.store.models import OutboxMessage
from tests.chat import ChatUser, file_appeal, pdf

ALICE = Actor("cli", "alice", "alice")
PROFILE = "https://www.workmarket.com/freelancers/~olegz"
AGENT_KINDS = ("ticket_card", "agent_alert")  # the rest is for the user, who reads their own data


def test_contacts_ibans_and_profile_links_are_masked_in_full_but_dates_and_domains_are_not() -> None:
    redaction = Redaction("[hidden]")
    text = (
        "Mail me@example.com or call +44 7911 123456; IBAN DE89 3704 0044 0532 0130 00 or GB29NWBK60161331926819; "
        "profile https://linkedin.com/in/oleg-z?ref=1. Notice on 2026-11-20, booking 12.11.2025, VPN from nordvpn.com"
    )
    assert redaction.text(text) == (
        "Mail [hidden] or call [hidden]; IBAN [hidden] or [hidden]; "
        "profile [hidden]. Notice on 2026-11-20, booking 12.11.2025, VPN from nordvpn.com"
    )


def test_the_values_a_user_gave_are_hidden_wherever_they_are_quoted() -> None:
    answers = {
        "account": {"value": PROFILE, "key": "profile:olegz", "kind": "url"},
        "contact_email": {"value": "oleg.z@mail.example"},
        "earnings": {"value": "gt100k"},
        "explanation": {"value": "not personal: never a value to look for"},
    }
    redaction = Redaction("[hidden]", personal_values(answers))

    assert redaction.text("My page olegz, see OLEGZ_passport.pdf; I made over 100k") == (
        "My page [hidden], see [hidden]_passport.pdf; I made [hidden]"
    )
    assert redaction.text("olegzaytsev and bolegz are other people") == "olegzaytsev and bolegz are other people"
    assert redaction.text("not personal") == "not personal"


def test_every_message_the_core_queues_for_the_agents_chats_is_redacted(make_desk: object) -> None:
    desk: Desk = make_desk(destinations=[("telegram", "-100"), ("slack", "CAGENTS")])  # type: ignore[operator]
    user = ChatUser(desk, channel="telegram")
    reference = file_appeal(user, PROFILE, files=(pdf("olegz passport.pdf"),), earnings="Over $100,000")
    user.send("/add")
    user.send("My profile is olegz. IBAN DE89 3704 0044 0532 0130 00, call +351 912 345 678, I earn over 100k.")
    desk.tickets.request_info(reference, ALICE, "Is oleg.z@mail.example yours? We saw olegz log in from Lisbon.")
    desk.tickets.note(reference, ALICE, "Checked olegz against the payout IBAN DE89370400440532013000.")

    with desk.db.session() as session:
        query = select(OutboxMessage).where(col(OutboxMessage.kind).in_(AGENT_KINDS)).order_by(col(OutboxMessage.id))
        rows = session.exec(query).all()
    assert {(row.channel, row.kind) for row in rows} == {("telegram", "ticket_card"), ("slack", "ticket_card")}
    for row in rows:
        queued = json.dumps(row.context, ensure_ascii=False).lower()
        for personal in ("olegz", "workmarket.com/freelancers", "de89", "912 345 678", "oleg.z@", "100k", "100,000"):
            assert personal not in queued, (personal, row.context)
    cards = [row.context for row in rows if row.channel == "telegram"]
    hidden = desk.hidden("telegram")
    evidence = {row["key"]: row for row in cards[-1]["ticket"]["evidence"]}
    assert evidence["account"]["value"] == hidden and evidence["earnings"]["choice_labels"] == []
    assert [item["name"] for item in cards[-1]["ticket"]["files"]] == [f"{hidden} passport.pdf"]
    assert "Lisbon" in cards[-1]["ticket"]["pending_question"]  # the rest of the text is kept


def test_a_channel_reads_a_queued_card_back_as_a_typed_view_already_redacted(make_desk: object) -> None:
    desk: Desk = make_desk(destinations=[("slack", "CAGENTS")])  # type: ignore[operator]
    reference = file_appeal(ChatUser(desk), PROFILE)
    desk.tickets.reply(reference, ALICE, "We found your page https://www.workmarket.com/freelancers/~olegz.")
    with desk.db.session() as session:
        card = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "ticket_card")).all()[-1]
    view = AgentCardView.read(card.context)
    hidden = desk.hidden("slack")
    assert (view.ticket.reference, view.ticket.status, view.ticket.requester.channel) == (reference, "new", "terminal")
    assert view.event is not None and view.event.action == "reply"
    assert view.event.public_message == f"We found your page {hidden}."
    assert {row.key: row.value for row in view.ticket.evidence}["account"] == hidden
    assert view.context() == card.context


def test_a_supervisors_alert_is_redacted_like_the_agents_cards(make_desk: object, clock: ManualClock) -> None:
    desk: Desk = make_desk(  # type: ignore[operator]
        telegram_token="123:test", supervisors=["telegram:5001"], first_response_hours=24
    )
    file_appeal(ChatUser(desk), PROFILE, earnings="Over $100,000")
    clock.advance(hours=24, minutes=1)
    desk.scheduler.run_once()
    with desk.db.session() as session:
        [alert] = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "supervisor_alert")).all()
    queued = json.dumps(alert.context, ensure_ascii=False).lower()
    assert "olegz" not in queued and "100,000" not in queued and alert.context["missed"] == "first_response"
    evidence = {row.key: row for row in AgentCardView.read(alert.context).ticket.evidence}
    assert evidence["account"].value == desk.hidden("telegram") and evidence["earnings"].choice_labels == []
