"""The ticket carries the platform's record next to what the user says, and says whether the requester
is the account's verified owner; an appeal from someone else than the verified owner is held for an agent."""

from __future__ import annotations

from sqlmodel import select

from bot.core.platform.links import LinkCodeRequest
from bot.core.tickets.actors import Actor
from bot.desk import Desk
from bot.store.models import Ticket, TicketEvent
from tests.chat import ChatUser, file_appeal
from tests.platform import record_action

ALICE = Actor("cli", "alice", "alice")


def card(desk: Desk, view: dict[str, object]) -> str:
    return desk.renderer.render("agents/ticket_card.j2", {"ticket": view})


def linked(desk: Desk, user: ChatUser, account: str = "olegz_dev") -> None:
    """The platform issues a link code for the account and `user` sends it to the bot."""
    with desk.db.session() as session:
        code = desk.link_codes.issue(session, "marketplace", LinkCodeRequest(account_id=account)).code
    user.send(f"/link {code}")
    assert user.last[-1].context["outcome"] == "linked"


def test_the_ticket_carries_the_platforms_record_marked_as_the_platforms(desk: Desk) -> None:
    record_action(desk, staff="ts-maria")
    reference = file_appeal(ChatUser(desk))
    view = desk.tickets.show(reference, ALICE)

    record = view["platform_record"]
    assert (record["action"], record["reason_category"], record["acting_staff"]) == (
        "permanent_suspension",
        "account-sharing",
        "ts-maria",
    )
    assert record["rule_entries"] == ["account-sharing"]
    assert record["internal_note"] == "Logins from two countries within an hour."
    text = card(desk, view)
    assert "On record at WorkMarket: a permanent suspension, Wed 25 Nov, 09:30 UTC, by ts-maria" in text
    assert "by ts-maria (Account sharing; account-sharing)" in text  # the category by its label, then the rule entry
    assert "WorkMarket's note: Logins from two countries within an hour." in text
    assert text.index("On record at WorkMarket") < text.index("The user says:") < text.index("Your explanation")


def test_without_a_record_the_card_shows_only_what_the_user_says(desk: Desk) -> None:
    reference = file_appeal(ChatUser(desk))
    view = desk.tickets.show(reference, ALICE)
    assert view["platform_record"] is None and view["owner"] is None
    assert "On record at" not in card(desk, view) and "The user says" not in card(desk, view)


def test_an_appeal_from_the_verified_owner_says_so(desk: Desk) -> None:
    olga = ChatUser(desk)
    linked(desk, olga)
    reference = file_appeal(olga)
    view = desk.tickets.show(reference, ALICE)
    assert view["owner"] == "verified"
    assert "Verified owner: this chat is linked to the account" in card(desk, view)
    assert "checklist.owner_elsewhere" not in view["checklist"]


def test_an_appeal_for_an_account_verified_on_another_identity_is_held_and_the_user_told_what_to_do(
    desk: Desk,
) -> None:
    linked(desk, ChatUser(desk, "oleg"))
    olga = ChatUser(desk)
    reference = file_appeal(olga)

    told = olga.text()
    assert "linked to a different chat, so a person will first check that it is yours" in told
    assert "/link ABCD-EFGH" in told and "Or just wait" in told
    view = desk.tickets.show(reference, ALICE)
    assert view["owner"] == "verified_elsewhere"
    assert "checklist.owner_elsewhere" in view["checklist"]
    assert "HELD: the account's verified owner is another chat identity" in card(desk, view)
    with desk.db.session() as session:
        ticket = session.exec(select(Ticket).where(Ticket.reference == reference)).one()
        notes = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
        held = [event for event in notes if event.internal_note and event.internal_note.startswith("Held for an agent")]
    assert [(event.actor, event.action) for event in held] == [("system:appealdesk", "note")]
    assert ticket.status == "new" and ticket.assignee is None

    linked(desk, olga)  # the requester links the account after all: the view says so from then on
    assert desk.tickets.show(reference, ALICE)["owner"] == "verified"
