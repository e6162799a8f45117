"""A supervisor hands a ticket in review to another console account; agents never can."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from bot.core.accounts import Role
from bot.core.tickets.actions import AgentAction, TicketState, available_actions
from bot.core.tickets.actors import CONSOLE, Actor, cli_agent
from bot.core.tickets.lifecycle import Refused
from bot.desk import Desk
from bot.store.models import OutboxMessage, TicketEvent
from tests.chat import ChatUser, file_appeal
from tests.conftest import DeskFactory

ALICE = Actor(CONSOLE, "alice", "alice")
SAM = Actor(CONSOLE, "sam", "sam", supervises=True)
PASSWORD = "a long enough password"


@pytest.fixture
def staffed(make_desk: DeskFactory) -> Desk:
    """Agents alice and nina, supervisor sam, all console accounts; cards go to one agents' chat."""
    desk = make_desk(destinations=[("slack", "CAGENTS")])
    for name, role in (("alice", Role.AGENT), ("nina", Role.AGENT), ("sam", Role.SUPERVISOR)):
        desk.accounts.add(name, role, PASSWORD)
    return desk


def user_messages(desk: Desk) -> list[OutboxMessage]:
    with desk.db.session() as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "user")))


def offered(status: str, actor: Actor | None) -> bool:
    return AgentAction.REASSIGN in [offer.action for offer in available_actions(TicketState(status, "console:alice"), actor)]


@pytest.mark.parametrize("status", ["in_review", "awaiting_user"])
def test_only_a_supervisor_is_offered_reassign_and_only_while_the_ticket_is_in_review(status: str) -> None:
    assert offered(status, SAM)
    assert not offered(status, ALICE) and not offered(status, None)  # None: what a card offers the whole chat
    assert not offered("new", SAM) and not offered("resolved", SAM)


def test_the_new_holder_gets_the_ticket_with_its_status_and_the_audit_names_both(staffed: Desk) -> None:
    user = ChatUser(staffed)
    reference = file_appeal(user)
    staffed.tickets.claim(reference, ALICE)
    staffed.tickets.request_info(reference, ALICE, "Please send your booking.")
    told_before = len(user_messages(staffed))

    view = staffed.tickets.reassign(reference, SAM, "nina")

    assert (view["status"], view["assignee"], view["pending_question"]) == (
        "awaiting_user",
        "console:nina",
        "Please send your booking.",
    )
    with staffed.db.session() as session:
        event = session.exec(select(TicketEvent).order_by(col(TicketEvent.id).desc())).first()
        alerts = list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "agent_alert")))
    assert event is not None
    assert (event.actor, event.action, event.data) == (
        "console:sam",
        "reassign",
        {"from": "console:alice", "to": "console:nina"},
    )
    [alert] = alerts
    assert (alert.channel, alert.chat_id, alert.template) == ("slack", "CAGENTS", "agents/reassigned.j2")
    text = staffed.renderer.render(alert.template, alert.context)
    assert "is now held by console:nina (before: console:alice), reassigned by console:sam" in text
    assert len(user_messages(staffed)) == told_before  # the user is not told: the promise is the desk's


def test_an_agent_a_disabled_or_unknown_account_and_the_same_holder_are_refused(staffed: Desk) -> None:
    reference = file_appeal(ChatUser(staffed))
    staffed.tickets.claim(reference, ALICE)
    staffed.accounts.disable("nina")
    with pytest.raises(Refused) as agent:
        staffed.tickets.reassign(reference, ALICE, "sam")
    with pytest.raises(Refused) as disabled:
        staffed.tickets.reassign(reference, SAM, "nina")
    with pytest.raises(Refused) as unknown:
        staffed.tickets.reassign(reference, SAM, "nobody")
    with pytest.raises(Refused) as same:
        staffed.tickets.reassign(reference, SAM, "alice")
    assert [agent.value.code, disabled.value.code, unknown.value.code, same.value.code] == [
        "not_supervisor",
        "no_such_holder",
        "no_such_holder",
        "holds_already",
    ]
    assert staffed.tickets.glance(reference, SAM, "-")["assignee"] == "console:alice"


def test_a_command_line_agent_supervises_when_the_settings_name_them(make_desk: DeskFactory) -> None:
    settings = make_desk(supervisors=["bob"]).settings
    assert cli_agent("bob", settings).supervises and not cli_agent("alice", settings).supervises
