"""GET /api/v1/tickets/{ref} and GET /api/v1/tickets?account=...: status, outcome and dates, nothing agents keep."""

from __future__ import annotations

import httpx

from bot.core.tickets.actors import Actor
from bot.desk import Desk
from tests.chat import EXPLANATION, ChatUser, file_appeal

ALICE = Actor("cli", "alice")
NOTE = "Checked the login history by hand; the second country is a VPN exit."


def decided_appeal(desk: Desk, account: str = "olegz_dev") -> str:
    reference = file_appeal(ChatUser(desk, "oleg"), account)
    desk.tickets.claim(reference, ALICE)
    desk.tickets.note(reference, ALICE, NOTE)
    desk.tickets.resolve(
        reference,
        ALICE,
        "reinstated",
        "location-or-vpn",
        "The logins came from a VPN you used while travelling.",
        "Login history 12-19 Nov.",
    )
    return reference


async def test_a_ticket_reads_with_its_status_outcome_and_dates(client: httpx.AsyncClient, desk: Desk) -> None:
    reference = decided_appeal(desk)
    response = await client.get(f"/tickets/{reference.lower()}")
    assert response.status_code == 200
    ticket = response.json()
    assert (ticket["reference"], ticket["status"], ticket["outcome"]) == (reference, "resolved", "reinstated")
    assert ticket["reason_category"] == "location-or-vpn"
    assert ticket["resolved_at"] and ticket["created_at"] and ticket["resolution_due"]
    assert ticket["public_explanation"] == "The logins came from a VPN you used while travelling."


async def test_a_ticket_never_shows_internal_notes_answers_or_who_reviews_it(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    reference = decided_appeal(desk)
    text = (await client.get(f"/tickets/{reference}")).text
    for kept_by_agents in (NOTE, EXPLANATION, "alice", "oleg", "Login history"):
        assert kept_by_agents not in text


async def test_an_unknown_reference_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/tickets/AD-2026-424242")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")


async def test_an_accounts_tickets_are_found_however_the_account_is_written(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    reference = decided_appeal(desk, "olegz_dev")
    file_appeal(ChatUser(desk, "somebody-else"), "another_account")
    for written in ("olegz_dev", "@OlegZ_dev", "https://workmarket.example/freelancers/olegz_dev"):
        listed = (await client.get("/tickets", params={"account": written})).json()
        assert [ticket["reference"] for ticket in listed["tickets"]] == [reference], written


async def test_an_account_with_no_tickets_has_an_empty_list(client: httpx.AsyncClient) -> None:
    listed = (await client.get("/tickets", params={"account": "nobody_here"})).json()
    assert listed == {"account": "nobody_here", "tickets": []}


async def test_the_list_needs_a_usable_account_and_nothing_else(client: httpx.AsyncClient) -> None:
    missing = await client.get("/tickets")
    unusable = await client.get("/tickets", params={"account": "no spaces allowed"})
    extra = await client.get("/tickets", params={"account": "olegz_dev", "status": "open"})
    assert missing.json()["error"]["fields"][0]["location"] == ["query", "account"]
    assert unusable.json()["error"]["fields"][0]["location"] == ["query", "account"]
    assert extra.json()["error"]["fields"][0]["location"] == ["query", "status"]
    assert {missing.status_code, unusable.status_code, extra.status_code} == {422}
