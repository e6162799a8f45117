"""Supervisors' pages: reassigning a ticket and the escalated list; agents get neither."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from bot.core.accounts import Role
from bot.core.clock import ManualClock
from bot.core.tickets.actors import CONSOLE, Actor
from bot.desk import Desk
from bot.store.models import TicketEvent
from tests.chat import ChatUser, file_appeal, open_question
from tests.web.console.conftest import PASSWORD, Console

ALICE = Actor(CONSOLE, "alice", "alice")


def test_a_supervisor_hands_a_ticket_to_another_agent_and_the_audit_says_who(console: Console, accounts: Desk) -> None:
    accounts.accounts.add("nina", Role.AGENT, PASSWORD)
    reference = file_appeal(ChatUser(accounts))
    accounts.tickets.claim(reference, ALICE)
    console.sign_in("sam")
    page: Any = console.get(f"/console/tickets/{reference}")
    assert f'/console/tickets/{reference}/reassign"' in page.text
    assert '<option value="nina">' in page.text and '<option value="alice">' not in page.text  # not its holder

    moved: Any = console.act(reference, "reassign", holder="nina")

    assert moved.status_code == 303 and moved.headers["location"] == f"/console/tickets/{reference}?done=reassign"
    assert accounts.tickets.glance(reference, ALICE, "-")["assignee"] == "console:nina"
    with accounts.db.session() as session:
        event = session.exec(select(TicketEvent).order_by(col(TicketEvent.id).desc())).first()
    assert event is not None and (event.actor, event.action, event.data["to"]) == (
        "console:sam",
        "reassign",
        "console:nina",
    )


def test_an_agent_is_not_offered_reassign_and_a_sent_form_is_refused(console: Console, accounts: Desk) -> None:
    reference = file_appeal(ChatUser(accounts))
    accounts.tickets.claim(reference, ALICE)
    console.sign_in("alice")
    page: Any = console.get(f"/console/tickets/{reference}")
    assert "Reassign" not in page.text
    refused: Any = console.act(reference, "reassign", holder="sam")
    assert refused.status_code == 400 and "Only a supervisor can hand a ticket to someone else." in refused.text
    assert accounts.tickets.glance(reference, ALICE, "-")["assignee"] == "console:alice"


def test_a_reassign_to_a_disabled_account_says_so(console: Console, accounts: Desk) -> None:
    accounts.accounts.add("nina", Role.AGENT, PASSWORD)
    reference = file_appeal(ChatUser(accounts))
    accounts.tickets.claim(reference, ALICE)
    console.sign_in("sam")
    form = console.ticket_form(reference)
    accounts.accounts.disable("nina")
    refused: Any = console.act(reference, "reassign", form, holder="nina")
    assert refused.status_code == 400 and "no active console account" in refused.text
    assert '<option value="nina">' not in refused.text


def test_the_escalated_list_holds_only_escalated_tickets_and_is_in_a_supervisors_nav(
    console: Console, accounts: Desk, clock: ManualClock
) -> None:
    late = file_appeal(ChatUser(accounts))
    clock.advance(hours=25)
    accounts.scheduler.run_once()
    fresh = open_question(accounts, "Can I use a VPN while travelling?")
    console.sign_in("sam")
    queue: Any = console.get("/console/")
    assert '/console/escalated">Escalated</a>' in queue.text and fresh in queue.text and late in queue.text
    page: Any = console.get("/console/escalated")
    assert page.status_code == 200 and "<h1>Escalated tickets</h1>" in page.text
    assert late in page.text and fresh not in page.text
    assert '/console/escalated" class="filters"' in page.text


def test_agents_have_no_escalated_list(console: Console, accounts: Desk) -> None:
    console.sign_in("alice")
    queue: Any = console.get("/console/")
    assert '/console/escalated">Escalated</a>' not in queue.text
    assert console.get("/console/escalated").status_code == 403  # type: ignore[attr-defined]
