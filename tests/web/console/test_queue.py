"""The queue page: filters and search from the address, pages that keep the filters, masked rows."""

from __future__ import annotations

from typing import Any

from bot.desk import Desk
from tests.chat import ChatUser, file_appeal, open_question
from tests.web.console.conftest import Console


def test_the_queue_lists_open_tickets_with_links_and_hides_personal_data(console: Console, accounts: Desk) -> None:
    appeal = file_appeal(ChatUser(accounts, display_name="Olga Petrova"), account="olegz_dev")
    question = open_question(accounts, "May I use Calendly with my client?")
    console.sign_in("alice")
    page: Any = console.get("/console/")
    assert page.text.index(appeal) < page.text.index(question)
    assert f'/console/tickets/{appeal}"' in page.text and "olegz_dev" not in page.text
    assert "2 tickets." in page.text


def test_filters_and_search_come_from_the_address_and_stay_selected(console: Console, accounts: Desk) -> None:
    appeal = file_appeal(ChatUser(accounts, display_name="Olga Petrova"), account="olegz_dev")
    question = open_question(accounts, "May I use Calendly with my client?")
    console.sign_in("alice")
    questions: Any = console.get("/console/?kind=question")
    assert question in questions.text and appeal not in questions.text
    assert '<option value="question" selected>' in questions.text
    found: Any = console.get("/console/?q=olegz")
    assert appeal in found.text and question not in found.text and 'value="olegz"' in found.text
    mine: Any = console.get("/console/?assignee=me")
    assert "0 tickets." in mine.text


def test_page_links_keep_the_filters(console: Console, accounts: Desk) -> None:
    for number in range(26):
        open_question(accounts, f"Question {number}: may I invoice a client in euros?")
    console.sign_in("alice")
    first: Any = console.get("/console/?kind=question")
    assert "26 tickets, page 1 of 2." in first.text
    assert 'href="?status=open&amp;kind=question&amp;assignee=anyone&amp;page=2&amp;size=25"' in first.text
    second: Any = console.get("/console/?kind=question&page=2&size=25")
    assert second.text.count('/console/tickets/AD-') == 1 and "Previous page" in second.text
