"""The second-reviewer rule: the staff member who took the platform's action against an account never
claims, decides or is handed the appeal against it, and supervisors see every attempt."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.core.accounts import Role
from bot.core.tickets.actors import CONSOLE, Actor, cli_agent
from bot.core.tickets.lifecycle import Refused
from bot.desk import Desk
from bot.store.models import OutboxMessage, TicketEvent
from tests.chat import ChatUser, file_appeal
from tests.conftest import DeskFactory
from tests.platform import record_action

MARIA = Actor(CONSOLE, "ts-maria", "ts-maria")  # suspended the account on the platform
NINA = Actor(CONSOLE, "nina", "nina")
SAM = Actor(CONSOLE, "sam", "sam", supervises=True)
PASSWORD = "a long enough password"


@pytest.fixture
def staffed(make_desk: DeskFactory) -> Desk:
    """Console agents ts-maria and nina, supervisor sam; a supervisor on Telegram hears of refusals."""
    desk = make_desk(telegram_token="123:test", supervisors=["telegram:5001"], agents=["alice", "ts-maria"])
    for name, role in (("ts-maria", Role.AGENT), ("nina", Role.AGENT), ("sam", Role.SUPERVISOR)):
        desk.accounts.add(name, role, PASSWORD)
    return desk


def suspended_by(desk: Desk, staff: str, account: str = "olegz_dev") -> None:
    """The platform records a permanent suspension that `staff` took."""
    record_action(desk, staff=staff, account=account)


def refused_attempts(desk: Desk) -> list[TicketEvent]:
    with desk.db.session() as session:
        return list(session.exec(select(TicketEvent).where(TicketEvent.action == "second_reviewer")))


def supervisor_alerts(desk: Desk) -> list[OutboxMessage]:
    with desk.db.session() as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "supervisor_alert")))


def test_the_staff_member_who_suspended_cannot_claim_the_appeal_and_supervisors_are_told(staffed: Desk) -> None:
    suspended_by(staffed, "TS-Maria")
    reference = file_appeal(ChatUser(staffed), account="olegz_dev")
    with pytest.raises(Refused) as refused:
        staffed.tickets.claim(reference, MARIA)
    assert refused.value.code == "second_reviewer"
    text = staffed.renderer.render("agents/refusal.j2", {"code": "second_reviewer", **refused.value.context})
    assert "ts-maria took WorkMarket's action against this account" in text and reference in text
    view = staffed.tickets.show(reference, NINA)
    assert (view["status"], view["assignee"]) == ("new", None)
    [attempt] = refused_attempts(staffed)
    assert (attempt.actor, attempt.data) == ("console:ts-maria", {"who": "console:ts-maria", "action": "claim"})
    [alert] = supervisor_alerts(staffed)
    told = staffed.renderer.render(alert.template, alert.context)
    assert (alert.channel, alert.chat_id) == ("telegram", "5001")
    assert "console:ts-maria tried to claim" in told and reference in told


def test_nor_decide_it_once_someone_else_holds_it_while_another_agent_can(staffed: Desk) -> None:
    suspended_by(staffed, "ts-maria")
    reference = file_appeal(ChatUser(staffed), account="olegz_dev")
    staffed.tickets.claim(reference, NINA)
    decision = (
        "reinstated",
        "account-sharing",
        "The second login was your own laptop on a trip; nobody else used the account.",
        "Login history 20-25 Nov, device list.",
    )
    with pytest.raises(Refused, match="second_reviewer"):
        staffed.tickets.resolve(reference, MARIA, *decision)
    assert staffed.tickets.show(reference, NINA)["status"] == "in_review"
    assert [event.data["action"] for event in refused_attempts(staffed)] == ["resolve"]
    assert staffed.tickets.resolve(reference, NINA, *decision)["status"] == "resolved"


def test_a_supervisor_cannot_hand_the_appeal_to_the_staff_member_who_suspended(staffed: Desk) -> None:
    suspended_by(staffed, "ts-maria")
    reference = file_appeal(ChatUser(staffed), account="olegz_dev")
    staffed.tickets.claim(reference, NINA)
    with pytest.raises(Refused, match="second_reviewer"):
        staffed.tickets.reassign(reference, SAM, "ts-maria")
    assert staffed.tickets.show(reference, NINA)["assignee"] == "console:nina"


def test_the_rule_holds_on_the_command_line_by_the_agents_name(staffed: Desk) -> None:
    suspended_by(staffed, "ts-maria")
    reference = file_appeal(ChatUser(staffed), account="olegz_dev")
    with pytest.raises(Refused, match="second_reviewer"):
        staffed.tickets.claim(reference, cli_agent("ts-maria", staffed.settings))


def test_a_staff_member_who_acted_on_another_account_reviews_this_one(staffed: Desk) -> None:
    suspended_by(staffed, "ts-maria", account="someone_else")
    reference = file_appeal(ChatUser(staffed), account="olegz_dev")
    assert staffed.tickets.claim(reference, MARIA)["assignee"] == "console:ts-maria"
    assert refused_attempts(staffed) == [] and supervisor_alerts(staffed) == []
