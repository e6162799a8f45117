"""The ticket lifecycle: every transition an agent can take, and every one that is refused."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.core.tickets.actors import Actor
from bot.core.tickets.lifecycle import REASON_CATEGORIES, Refused, category_label
from bot.desk import Desk
from bot.store.models import OutboxMessage, Ticket, TicketEvent
from tests.chat import ChatUser, file_appeal, open_question, pdf

ALICE = Actor("cli", "alice", "alice")
BOB = Actor("cli", "bob", "bob")
MALLORY = Actor("cli", "mallory", "mallory")


def decide(desk: Desk, reference: str, outcome: str = "reinstated", **extra: object) -> dict[str, object]:
    return desk.tickets.resolve(
        reference,
        ALICE,
        outcome,
        "location-or-vpn",
        "The logins came from a VPN server you used while travelling.",
        "Login history 12-19 Nov, your travel booking.",
        **extra,  # type: ignore[arg-type]
    )


def user_messages(desk: Desk) -> list[OutboxMessage]:
    with desk.db.session() as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "user").order_by(OutboxMessage.id)))


def test_claim_moves_a_new_ticket_to_review_and_tells_the_user(desk: Desk) -> None:
    reference = file_appeal(ChatUser(desk))
    view = desk.tickets.claim(reference, ALICE)
    assert (view["status"], view["assignee"]) == ("in_review", "cli:alice")
    assert [message.template for message in user_messages(desk)] == ["notify/claimed.j2"]


def test_a_ticket_claimed_by_another_agent_needs_force(desk: Desk) -> None:
    reference = file_appeal(ChatUser(desk))
    desk.tickets.claim(reference, ALICE)
    with pytest.raises(Refused) as refused:
        desk.tickets.claim(reference, BOB)
    assert refused.value.code == "claimed_by_other"
    assert desk.tickets.claim(reference, BOB, force=True)["assignee"] == "cli:bob"


def test_request_info_round_trip_attaches_the_reply_and_returns_to_review(desk: Desk) -> None:
    user = ChatUser(desk)
    reference = file_appeal(user)
    desk.tickets.claim(reference, ALICE)
    view = desk.tickets.request_info(reference, ALICE, "Please send your travel booking for 10-19 Nov.")
    assert view["status"] == "awaiting_user"
    assert user_messages(desk)[-1].template == "notify/info_requested.j2"

    user.send("Here is the booking, I flew on the 10th.", files=(pdf(),))
    assert user.templates() == ["idle/added_to_ticket.j2"]
    assert "I added your answer" in user.text()

    view = desk.tickets.show(reference, ALICE)
    assert view["status"] == "in_review"
    assert view["pending_question"] is None
    assert [file["name"] for file in view["files"]] == ["booking.pdf"]
    reply = [event for event in view["events"] if event["action"] == "user_reply"]
    assert reply[0]["public_message"] == "Here is the booking, I flew on the 10th."


def test_resolving_tells_the_user_the_outcome_with_the_reasons(desk: Desk) -> None:
    reference = file_appeal(ChatUser(desk))
    view = decide(desk, reference)
    assert (view["status"], view["outcome"]) == ("resolved", "reinstated")
    message = user_messages(desk)[-1]
    text = desk.renderer.render(message.template, message.context)
    assert "your account is reinstated" in text
    assert "VPN server you used while travelling" in text
    assert "Login history 12-19 Nov" in text


def test_an_upheld_decision_must_say_whether_the_user_may_appeal_again(desk: Desk) -> None:
    reference = file_appeal(ChatUser(desk))
    with pytest.raises(Refused) as refused:
        decide(desk, reference, "upheld")
    assert refused.value.code == "appeal_again_missing"
    decide(desk, reference, "upheld", may_appeal_again=False)
    message = user_messages(desk)[-1]
    assert "This decision is final" in desk.renderer.render(message.template, message.context)


@pytest.mark.parametrize(
    ("outcome", "reason", "message", "facts", "code"),
    [
        ("approved", "location-or-vpn", "A long enough public explanation.", "Login history.", "outcome"),
        ("reinstated", "because", "A long enough public explanation.", "Login history.", "reason"),
        ("reinstated", "location-or-vpn", "no reason", "Login history.", "explanation_missing"),
        ("reinstated", "location-or-vpn", "A long enough public explanation.", "", "facts_missing"),
    ],
)
def test_a_decision_without_its_reasons_is_refused(
    desk: Desk, outcome: str, reason: str, message: str, facts: str, code: str
) -> None:
    reference = file_appeal(ChatUser(desk))
    with pytest.raises(Refused) as refused:
        desk.tickets.resolve(reference, ALICE, outcome, reason, message, facts)
    assert refused.value.code == code
    assert desk.tickets.show(reference, ALICE)["status"] == "new"


@pytest.mark.parametrize(
    ("setup", "action"),
    [
        ([], "reopen"),
        (["resolve"], "claim"),
        (["resolve"], "request_info"),
        (["resolve"], "resolve"),
        (["request_info"], "request_info"),
    ],
)
def test_invalid_transitions_are_refused_with_a_reason(desk: Desk, setup: list[str], action: str) -> None:
    reference = file_appeal(ChatUser(desk))
    actions = {
        "resolve": lambda: decide(desk, reference),
        "request_info": lambda: desk.tickets.request_info(reference, ALICE, "Please send your ID check."),
        "claim": lambda: desk.tickets.claim(reference, ALICE),
        "reopen": lambda: desk.tickets.reopen(reference, ALICE),
    }
    for step in setup:
        actions[step]()
    with pytest.raises(Refused) as refused:
        actions[action]()
    assert refused.value.code == "transition"
    text = desk.renderer.render("agents/refusal.j2", {"code": refused.value.code, **refused.value.context})
    assert text.startswith("You cannot")


def test_reopen_brings_a_decided_ticket_back_to_review(desk: Desk) -> None:
    reference = file_appeal(ChatUser(desk))
    decide(desk, reference)
    view = desk.tickets.reopen(reference, ALICE, "We found new information.")
    assert (view["status"], view["outcome"]) == ("in_review", None)
    assert user_messages(desk)[-1].template == "notify/reopened.j2"


def test_internal_notes_never_reach_the_user(desk: Desk) -> None:
    reference = file_appeal(ChatUser(desk))
    desk.tickets.note(reference, ALICE, "Matches fraud ring pattern 7")
    assert all("fraud ring" not in str(message.context) for message in user_messages(desk))
    notes = [event for event in desk.tickets.show(reference, ALICE)["events"] if event["action"] == "note"]
    assert notes[0]["internal_note"] == "Matches fraud ring pattern 7"


def test_only_configured_agents_may_act(desk: Desk) -> None:
    reference = file_appeal(ChatUser(desk))
    for action in (
        lambda: desk.tickets.claim(reference, MALLORY),
        lambda: desk.tickets.show(reference, MALLORY),
        lambda: desk.tickets.list(MALLORY),
        lambda: desk.tickets.note(reference, Actor("telegram", "alice"), "hello"),
    ):
        with pytest.raises(Refused) as refused:
            action()
        assert refused.value.code == "not_agent"


def test_every_change_is_an_audit_event_and_views_and_downloads_are_logged(desk: Desk) -> None:
    reference = file_appeal(ChatUser(desk), files=(pdf(),))
    desk.tickets.claim(reference, ALICE)
    file_id = desk.tickets.show(reference, ALICE)["files"][0]["id"]
    assert desk.tickets.download(reference, file_id, BOB).data == b"%PDF-1.4 booking"
    with desk.db.session() as session:
        events = session.exec(select(TicketEvent).order_by(TicketEvent.id)).all()
    assert [(event.actor, event.action, event.from_status, event.to_status) for event in events] == [
        ("user:olga", "opened", None, "new"),
        ("cli:alice", "claim", "new", "in_review"),
        ("cli:alice", "viewed", "in_review", "in_review"),
        ("cli:bob", "downloaded", "in_review", "in_review"),
    ]


def test_every_change_refreshes_the_agents_cards(make_desk: object) -> None:
    desk = make_desk(destinations=[("slack", "CAGENTS"), ("telegram", "-100")])  # type: ignore[operator]
    reference = file_appeal(ChatUser(desk))
    desk.tickets.claim(reference, ALICE)
    with desk.db.session() as session:
        cards = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "ticket_card")).all()
        ticket = session.exec(select(Ticket)).one()
    assert sorted((card.channel, card.context["event"]["action"]) for card in cards) == [
        ("slack", "claim"),
        ("slack", "opened"),
        ("telegram", "claim"),
        ("telegram", "opened"),
    ]
    assert all(card.ticket_id == ticket.id for card in cards)


def test_reopen_clears_the_decision_and_escalation_so_the_promise_starts_again(desk: Desk, clock: object) -> None:
    reference = file_appeal(ChatUser(desk))
    clock.advance(hours=100)  # type: ignore[attr-defined]
    desk.scheduler.run_once()
    decide(desk, reference)
    view = desk.tickets.reopen(reference, ALICE)
    assert (view["escalation_level"], view["reason_category"], view["facts"], view["public_explanation"]) == (
        0,
        None,
        None,
        None,
    )
    clock.advance(hours=100)  # type: ignore[attr-defined]
    assert desk.scheduler.run_once().escalations == 1


def test_claiming_again_or_taking_over_never_stops_the_wait_for_the_users_answer(desk: Desk) -> None:
    reference = file_appeal(ChatUser(desk))
    desk.tickets.claim(reference, ALICE)
    desk.tickets.request_info(reference, ALICE, "Please send your booking.")
    assert desk.tickets.claim(reference, ALICE)["status"] == "awaiting_user"
    view = desk.tickets.claim(reference, BOB, force=True)
    assert (view["status"], view["assignee"], view["pending_question"]) == (
        "awaiting_user",
        "cli:bob",
        "Please send your booking.",
    )
    assert [event["action"] for event in desk.tickets.show(reference, BOB)["events"]][-2] == "reassign"


def test_a_caption_sent_with_a_file_stays_with_the_file(desk: Desk) -> None:
    user = ChatUser(desk)
    reference = file_appeal(user)
    del reference
    other = ChatUser(desk, name="nina")
    other.send("/appeal")
    other.send("nina_dev")
    other.send("my hotel booking", files=(pdf(),))
    assert other.templates()[-1] == "intake/steps/what_happened.j2"
    with desk.db.session() as session:
        from bot.store.models import Evidence

        assert session.exec(select(Evidence).where(Evidence.caption == "my hotel booking")).one()


def test_a_question_ends_answered_with_just_the_answer(desk: Desk) -> None:
    reference = open_question(desk, "May I take payment by bank transfer from a client I met here?")
    view = desk.tickets.resolve(reference, ALICE, "answered", None, "No: payments for work found here go through us.")
    assert (view["status"], view["outcome"], view["reason_category"]) == ("resolved", "answered", "question-answered")
    assert view["facts"] is None
    told = user_messages(desk)[-1]
    text = desk.renderer.render(told.template, told.context)
    assert "has been answered" in text and "payments for work found here go through us" in text


@pytest.mark.parametrize(("kind", "outcome"), [("question", "reinstated"), ("appeal", "answered")])
def test_each_kind_has_its_own_outcomes_and_the_refusal_names_them(desk: Desk, kind: str, outcome: str) -> None:
    reference = open_question(desk, "Is a VPN allowed?") if kind == "question" else file_appeal(ChatUser(desk))
    with pytest.raises(Refused) as refused:
        desk.tickets.resolve(reference, ALICE, outcome, "other", "A long enough public explanation.", "Login history.")
    text = desk.renderer.render("agents/refusal.j2", {"code": refused.value.code, **refused.value.context})
    expected = {
        "question": "A question ends answered, so",
        "appeal": "An appeal ends reinstated | upheld | withdrawn, so",
    }
    assert text.startswith(expected[kind]) and f'"{outcome}" is not possible' in text


def test_an_appeal_still_needs_its_reason_and_facts(desk: Desk) -> None:
    reference = file_appeal(ChatUser(desk))
    for reason, facts, code in ((None, "Login history 12-19 Nov.", "reason"), ("identity", None, "facts_missing")):
        with pytest.raises(Refused) as refused:
            desk.tickets.resolve(reference, ALICE, "reinstated", reason, "A long enough public explanation.", facts)
        assert refused.value.code == code
    assert desk.tickets.show(reference, ALICE)["status"] == "new"


def test_every_reason_category_has_the_label_agents_read_it_by(desk: Desk) -> None:
    labels = [desk.renderer.label_text(category_label(reason)) for reason in REASON_CATEGORIES]
    assert all(desk.renderer.has_label(category_label(reason)) for reason in REASON_CATEGORIES)
    assert len(set(labels)) == len(REASON_CATEGORIES), "two categories read alike"
    assert desk.renderer.label_text(category_label("off-platform-payment")) == "Payment outside the platform"
