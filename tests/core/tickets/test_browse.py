"""The console's queue: the first due at the top, filters, search by reference, account, e-mail or name, pages."""

from __future__ import annotations

from bot.core.clock import ManualClock
from bot.core.events import Identity
from bot.core.tickets.actors import CONSOLE, Actor
from bot.core.tickets.browse import QueueQuery
from bot.desk import Desk
from tests.chat import ChatUser, file_appeal, open_question

ALICE = Actor(CONSOLE, "alice", "alice")


def references(desk: Desk, **query: object) -> list[str]:
    views, _ = desk.tickets.browse(ALICE, QueueQuery(**query), "[hidden]")  # type: ignore[arg-type]
    return [view["reference"] for view in views]


def test_the_first_due_is_on_top_and_a_claim_moves_a_ticket_to_its_resolution_target(
    desk: Desk, clock: ManualClock
) -> None:
    appeal = file_appeal(ChatUser(desk, display_name="Olga Petrova"))
    clock.advance(hours=1)
    question = open_question(desk, "May I use Calendly with my client?")
    assert references(desk) == [appeal, question]
    desk.tickets.claim(appeal, ALICE)
    assert references(desk) == [question, appeal]


def test_filters_narrow_by_kind_holder_channel_overdue_and_escalation(desk: Desk, clock: ManualClock) -> None:
    appeal = file_appeal(ChatUser(desk))
    question = open_question(desk, "May I use Calendly?", Identity("slack", "U1", "D1"))
    desk.tickets.claim(appeal, ALICE)
    assert references(desk, kind="question") == [question]
    assert references(desk, holder="me") == [appeal]
    assert references(desk, holder="unassigned") == [question]
    assert references(desk, channel="terminal") == [appeal]
    assert references(desk, channel="slack") == [question]
    assert references(desk, overdue=True) == []
    clock.advance(hours=desk.settings.first_response_hours + 1)
    assert references(desk, overdue=True) == [question]
    assert references(desk, escalated=True) == []
    desk.scheduler.run_once()
    assert references(desk, escalated=True) == [question]


def test_search_finds_a_reference_an_account_or_a_name_and_the_rows_stay_masked(desk: Desk) -> None:
    appeal = file_appeal(ChatUser(desk, name="olga", display_name="Olga Petrova"), account="olegz_dev")
    question = open_question(desk, "May I use Calendly with my client?", Identity("terminal", "ivan", "chat-ivan"))
    assert references(desk, search=appeal.lower()) == [appeal]
    assert references(desk, search="OLEGZ") == [appeal]
    assert references(desk, search="petrova") == [appeal]
    assert references(desk, search="nobody-like-this") == []
    views, _ = desk.tickets.browse(ALICE, QueueQuery(search="olegz"), "[hidden]")
    assert views[0]["account"] == "[hidden]" and question not in [view["reference"] for view in views]


def test_pages_hold_page_size_tickets_and_count_them_all(desk: Desk) -> None:
    made = [open_question(desk, f"Question number {number}: may I invoice in euros?") for number in range(3)]
    first, page = desk.tickets.browse(ALICE, QueueQuery(page_size=2), "")
    second, _ = desk.tickets.browse(ALICE, QueueQuery(page_size=2, page=2), "")
    assert page.total == 3 and page.pages == 2
    assert [view["reference"] for view in [*first, *second]] == made


def test_a_hand_edited_address_still_shows_a_queue() -> None:
    query = QueueQuery.from_params({"status": "lost", "assignee": "boss", "page": "-3", "size": "7", "overdue": "1"})
    assert query == QueueQuery(overdue=True)
