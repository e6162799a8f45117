"""What an agent can do with a ticket follows from the lifecycle and from who holds the ticket."""

from __future__ import annotations

import pytest

from bot.core.tickets.actions import AgentAction, TicketState, available_actions, permit, refusal
from bot.core.tickets.actors import Actor
from bot.core.tickets.lifecycle import Refused

ALICE = Actor("telegram", "1", "Alice")
BOB = Actor("slack", "U2", "bob")
A = AgentAction


def offered(ticket: TicketState, actor: Actor | None = None) -> list[AgentAction]:
    return [offer.action for offer in available_actions(ticket, actor)]


@pytest.mark.parametrize(
    ("status", "assignee", "expected"),
    [
        ("new", None, [A.CLAIM, A.REQUEST_INFO, A.REPLY, A.NOTE, A.RESOLVE, A.DETAILS]),
        ("in_review", "telegram:Alice", [A.REQUEST_INFO, A.REPLY, A.NOTE, A.RESOLVE, A.DETAILS]),
        ("in_review", None, [A.CLAIM, A.REQUEST_INFO, A.REPLY, A.NOTE, A.RESOLVE, A.DETAILS]),
        ("awaiting_user", "telegram:Alice", [A.REPLY, A.NOTE, A.RESOLVE, A.DETAILS]),
        ("resolved", "telegram:Alice", [A.NOTE, A.REOPEN, A.DETAILS]),
    ],
)
def test_a_card_offers_what_the_lifecycle_allows_from_the_status(
    status: str, assignee: str | None, expected: list[AgentAction]
) -> None:
    assert offered(TicketState(status, assignee)) == expected


def test_a_held_ticket_is_not_offered_for_claiming_to_its_holder_or_to_anyone_else() -> None:
    held = TicketState("in_review", ALICE.label)

    assert A.CLAIM not in offered(held, ALICE) and A.CLAIM not in offered(held, BOB)
    assert refusal(held, ALICE, A.CLAIM) == Refused("claimed_already", {"assignee": ALICE.label})
    assert refusal(held, BOB, A.CLAIM) == Refused("claimed_by_other", {"assignee": ALICE.label})
    assert refusal(held, BOB, A.CLAIM, force=True) is None


def test_a_new_ticket_someone_asked_a_question_on_can_still_be_claimed() -> None:
    assert refusal(TicketState("new", ALICE.label), BOB, A.CLAIM) is None


def test_permit_gives_the_status_after_the_action() -> None:
    assert permit(TicketState("new"), "AD-1", ALICE, A.CLAIM) == "in_review"
    assert permit(TicketState("awaiting_user", BOB.label), "AD-1", ALICE, A.CLAIM, force=True) == "awaiting_user"
    assert permit(TicketState("resolved"), "AD-1", ALICE, A.REOPEN) == "in_review"
    assert permit(TicketState("resolved"), "AD-1", ALICE, A.DETAILS) == "resolved"


def test_permit_refuses_with_the_reason_and_the_statuses_that_would_do() -> None:
    with pytest.raises(Refused) as refused:
        permit(TicketState("awaiting_user"), "AD-1", ALICE, A.REQUEST_INFO)

    assert refused.value.code == "transition"
    assert refused.value.context == {
        "reference": "AD-1",
        "action": "request_info",
        "status": "awaiting_user",
        "allowed": ["new", "in_review"],
    }
