"""The web chat talks to the same conversation engine as every channel: intake, files, rules, status, people."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import select

from bot.desk import Desk
from bot.store.models import Evidence, Ticket, TranscriptEntry, User
from tests.channels.web.browser import Browser
from tests.channels.web.conftest import browsing
from tests.chat import file_appeal, pdf


def test_a_new_visitor_is_greeted_with_the_choices_and_nothing_is_stored(browser: Browser, desk: Desk) -> None:
    assert "<title>WorkMarket appeals and questions</title>" in browser.client.get("/").text
    [greeting] = browser.page.messages
    assert "I help freelancers of WorkMarket appeal a suspension" in greeting.text
    assert [label for label, _ in greeting.buttons] == ["Start appeal", "First, ask a question"]
    with desk.db.session() as session:
        assert session.exec(select(User)).first() is None
        assert session.exec(select(TranscriptEntry)).first() is None


def test_an_appeal_with_a_file_walked_in_the_web_chat_becomes_a_ticket(browser: Browser, desk: Desk) -> None:
    reference = file_appeal(browser, files=(pdf(),))
    text = browser.text()
    assert f"Sent. Your reference is {reference}." in text
    assert "Saved: booking.pdf" in text
    with desk.db.session() as session:
        ticket = session.exec(select(Ticket).where(Ticket.reference == reference)).one()
        requester = session.get(User, ticket.user_id)
        assert requester is not None and (requester.channel, requester.chat_id) == ("web", browser.chat_id)
        [evidence] = session.exec(select(Evidence).where(Evidence.ticket_id == ticket.id)).all()
        assert (evidence.name, evidence.mime_type) == ("booking.pdf", "application/pdf")


def test_the_intake_starts_from_the_greetings_button_and_shows_what_the_user_chose(browser: Browser) -> None:
    browser.press("Start appeal")
    messages = browser.open().messages
    assert [message.author for message in messages] == ["user", "bot", "bot"][: len(messages)]
    assert messages[0].text == "Start appeal"
    assert "(1/" in browser.text()


def test_a_file_that_is_not_what_its_name_says_is_refused(browser: Browser) -> None:
    browser.send("/appeal")
    fake = pdf("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00 an executable")
    browser.send(files=(fake,))
    text = browser.text()
    assert "Not saved: invoice.pdf - what is inside does not match its name (.pdf)." in text
    sent = [message for message in browser.open().messages if message.author == "user"]
    assert (sent[-1].text, sent[-1].files.strip()) == ("", "Attached: invoice.pdf")
    assert '<div class="said"></div>' not in browser.client.get("/").text


def test_a_file_larger_than_the_limit_is_refused(make_desk: Callable[..., Desk]) -> None:
    with browsing(make_desk(evidence_max_bytes=1024 * 1024)) as browser:
        browser.send("/appeal")
        browser.send(files=(pdf("scan.pdf", b"%PDF-1.4 " + b"x" * 1_500_000),))
        assert "Not saved: scan.pdf - it is larger than 1.0 MB." in browser.text()


def test_a_multiple_choice_shows_the_ticked_answers_in_place_of_the_question(browser: Browser) -> None:
    file_appeal(browser)
    labels = [[label for label, _ in message.buttons] for message in browser.open().messages]
    prompts = [shown for shown in labels if "✓ VPN or travel" in shown or "VPN or travel" in shown]
    assert prompts == [[label for label in prompts[0]]] and "✓ VPN or travel" in prompts[0], "pressed in place"


def test_status_and_talking_to_a_person(browser: Browser, desk: Desk) -> None:
    reference = file_appeal(browser)
    browser.send("/status")
    assert reference in browser.text().rsplit("/status", 1)[-1]
    browser.send("/human May I invoice a client through my own company?")
    assert browser.last[-1].template == "idle/question_opened.j2"
    with desk.db.session() as session:
        assert session.exec(select(Ticket).where(Ticket.kind == "question")).one() is not None


def test_a_rule_question_is_answered_with_a_person_one_tap_away(browser: Browser) -> None:
    browser.send("is a VPN allowed?")
    assert "Talk to a person" in browser.labels()


def test_the_conversation_is_there_on_the_next_visit_and_only_for_that_browser(
    browser: Browser, new_browser: Callable[[], Browser]
) -> None:
    browser.send("/appeal")
    again = browser.open()
    assert [message.text for message in again.messages][:1] == ["/appeal"]
    stranger = new_browser()
    assert stranger.chat_id != browser.chat_id
    assert len(stranger.page.messages) == 1 and "I help freelancers" in stranger.page.messages[0].text


def test_nothing_a_user_or_an_agent_types_is_rendered_as_markup(browser: Browser, client: object) -> None:
    browser.send("/appeal")
    browser.send("<script>alert('account')</script>")
    html = browser.client.get("/").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;account&#39;)&lt;/script&gt;" in html
