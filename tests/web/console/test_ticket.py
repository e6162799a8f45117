"""A ticket's page: masked until revealed (and each reveal logged), the actions the core allows, stale forms refused."""

from __future__ import annotations

from typing import Any

from bot.core.platform.links import LinkCodeRequest
from bot.core.tickets.actors import CONSOLE, Actor
from bot.desk import Desk
from tests.chat import ChatUser, file_appeal, open_question
from tests.platform import record_action
from tests.web.console.conftest import Console

SAM = Actor(CONSOLE, "sam", "sam")


def test_personal_data_is_hidden_until_revealed_and_each_reveal_is_logged(console: Console, accounts: Desk) -> None:
    reference = file_appeal(ChatUser(accounts))
    console.sign_in("alice")
    page: Any = console.get(f"/console/tickets/{reference}")
    assert page.status_code == 200 and "olegz_dev" not in page.text and "Show personal data" in page.text
    assert "viewed" not in [event["action"] for event in accounts.tickets.show(reference, SAM)["events"][:-1]]
    revealed: Any = console.submit(f"/console/tickets/{reference}", f"/console/tickets/{reference}/reveal")
    assert revealed.status_code == 200 and "olegz_dev" in revealed.text and "logged under your name" in revealed.text
    viewers = [event["actor"] for event in accounts.tickets.show(reference, SAM)["events"] if event["action"] == "viewed"]
    assert viewers == ["console:sam", "console:alice", "console:sam"]


def test_the_page_shows_evidence_in_intake_order_the_checklist_and_only_the_actions_allowed(
    console: Console, accounts: Desk
) -> None:
    reference = file_appeal(ChatUser(accounts))
    console.sign_in("alice")
    page: Any = console.get(f"/console/tickets/{reference}")
    text = page.text
    assert text.index("What happened") < text.index("Member since") < text.index("Your explanation")
    assert "No notice text" in text  # the checklist, in the labels' words
    assert "Claim</button>" in text and "Reopen</button>" not in text


def test_an_agent_claims_replies_asks_notes_and_decides(console: Console, accounts: Desk) -> None:
    user = ChatUser(accounts)
    reference = file_appeal(user)
    console.sign_in("alice")
    form: Any = console.get(f"/console/tickets/{reference}")
    assert '<option value="location-or-vpn">Location or VPN</option>' in form.text  # chosen by its label
    claimed: Any = console.act(reference, "claim")
    assert claimed.status_code == 303 and claimed.headers["location"] == f"/console/tickets/{reference}?done=claim"
    console.act(reference, "reply", message="Thanks, we are looking at it.")
    console.act(reference, "info", message="Please send your travel booking.")
    console.act(reference, "note", text="Login country matches the booking.")
    user.send("Here are my dates: 12 to 19 Nov.")
    decided: Any = console.act(
        reference,
        "resolve",
        outcome="reinstated",
        reason="location-or-vpn",
        message="The logins came from a VPN you used while travelling.",
        facts="Login history 12-19 Nov and your travel dates.",
    )
    assert decided.status_code == 303, decided.text
    view = accounts.tickets.show(reference, SAM)
    assert view["status"] == "resolved" and view["assignee"] == "console:alice"
    actions = [event["action"] for event in view["events"] if event["actor"] == "console:alice"]
    assert actions == ["claim", "reply", "request_info", "note", "resolve"]
    page: Any = console.get(f"/console/tickets/{reference}")
    internal = page.text[page.text.index('id="internal"') : page.text.index('id="actions"')]
    conversation = page.text[page.text.index('id="conversation"') : page.text.index('id="internal"')]
    assert "Login country matches the booking." in internal and "Login country" not in conversation
    assert "Here are my dates" in conversation and "Reopen</button>" in page.text
    assert "resolved: reinstated (Location or VPN)" in page.text


def test_a_decision_the_core_refuses_says_why_and_keeps_what_was_typed(console: Console, accounts: Desk) -> None:
    reference = file_appeal(ChatUser(accounts))
    console.sign_in("alice")
    console.act(reference, "claim")
    refused: Any = console.act(
        reference, "resolve", form_name="resolve", outcome="upheld", reason="other", message="Too short", facts=""
    )
    assert refused.status_code == 400 and "public explanation" in refused.text
    assert accounts.tickets.show(reference, SAM)["status"] == "in_review"


def test_a_form_from_a_page_another_agent_has_overtaken_is_refused_not_applied(console: Console, accounts: Desk) -> None:
    reference = file_appeal(ChatUser(accounts))
    console.sign_in("alice")
    seen = console.ticket_form(reference)
    accounts.tickets.show(reference, SAM)  # reading changes nothing: the form stays fresh
    accounts.tickets.claim(reference, SAM)
    stale: Any = console.act(reference, "reply", form=seen, message="We are on it.", form_name="reply")
    assert stale.status_code == 409
    assert "changed after you opened it (console:sam: claim)" in stale.text and "We are on it." in stale.text
    assert "reply" not in [event["action"] for event in accounts.tickets.show(reference, SAM)["events"]]
    assert "Held by</dt><dd>console:sam" in stale.text


def test_what_the_user_wrote_is_escaped_and_unknown_tickets_are_404(console: Console, accounts: Desk) -> None:
    reference = open_question(accounts, "<script>alert('x')</script> may I use Calendly?")
    console.sign_in("alice")
    page: Any = console.get(f"/console/tickets/{reference}")
    assert "<script>alert" not in page.text and "&lt;script&gt;alert" in page.text
    assert console.get("/console/tickets/AD-2026-999999").status_code == 404  # type: ignore[attr-defined]


def test_the_page_shows_the_platforms_record_beside_what_the_user_says_and_a_held_appeal(
    console: Console, accounts: Desk
) -> None:
    record_action(accounts)
    with accounts.db.session() as session:
        code = accounts.link_codes.issue(session, "marketplace", LinkCodeRequest(account_id="olegz_dev")).code
    ChatUser(accounts, "oleg").send(f"/link {code}")
    reference = file_appeal(ChatUser(accounts))
    console.sign_in("alice")
    text = console.get(f"/console/tickets/{reference}").text  # type: ignore[attr-defined]
    assert text.index("On record at WorkMarket") < text.index("The user says") < text.index("Your explanation")
    assert "a permanent suspension" in text and "Logins from two countries within an hour." in text
    assert "<dt>Reason</dt><dd>Account sharing (account-sharing)</dd>" in text
    assert "held: the verified owner is another chat identity" in text
