"""The intake as one form: every answer at once, read like the guided conversation reads it.

What a channel's form (Slack's modal, the web form) hands in is a dict of raw answers by step key,
as typed or ticked; what it gets back is the answers and a message per field that cannot be used.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from bot.core.events import Attachment, Identity
from bot.core.intake.form import CheckedForm, RawAnswers, required
from bot.core.intake.steps import STEP_BY_KEY
from bot.desk import Desk
from bot.store.models import Evidence, Ticket
from tests.chat import EXPLANATION, ChatUser, file_appeal, pdf
from tests.platform import record_action

WEB_USER = Identity("terminal", "webby", "chat-webby")


def typed(**changes: Any) -> dict[str, Any]:
    """A complete form as a person fills it in on a web page: texts as typed, boxes as ticked."""
    values: dict[str, Any] = {
        "account": "olegz_dev",
        "what_happened": "Permanently suspended",
        "notice_date": "yesterday",
        "notice_text": "",
        "reason_given": "none",
        "member_since": "2017",
        "badge": "Top Rated Plus",
        "earnings": "",
        "triggers": ["vpn_travel"],
        "explanation": EXPLANATION,
        "contact": "chat",
        "contact_email": "",
        "consent": ["yes"],
    }
    values.update(changes)
    return values


def check(desk: Desk, raw: RawAnswers, locale: str | None = None, user_id: int | None = None) -> CheckedForm:
    return desk.intake_form.check(raw, desk.clock.now(), locale, user_id)


def message(desk: Desk, checked: CheckedForm, key: str) -> str:
    error = checked.errors[key]
    return desk.renderer.render(error.template, error.context)


def test_a_complete_form_gives_the_answers_the_conversation_keeps(desk: Desk) -> None:
    checked = check(desk, typed())

    assert checked.ok
    values = {key: answer["value"] for key, answer in checked.answers.items()}
    assert values == {
        "account": "olegz_dev",
        "what_happened": "permanent",
        "notice_date": "2026-11-24",
        "notice_text": "none",
        "reason_given": "none",
        "member_since": "2017",
        "badge": "top_plus",
        "earnings": None,
        "triggers": ["vpn_travel"],
        "explanation": EXPLANATION,
        "contact": "chat",
        "consent": True,
    }
    assert checked.answers["account"]["key"] == "profile:olegz_dev"
    assert checked.answers["earnings"]["skipped"] is True
    assert all(len(answer["sha256"]) == 64 for answer in checked.answers.values() if not answer.get("skipped"))


@pytest.mark.parametrize(
    ("key", "raw", "says"),
    [
        ("account", "not an account!", "could not read that as an account"),
        ("account", "https://www.workmarket.example/", "does not look like a profile link"),
        ("what_happened", "something odd", "Please choose one of the options."),
        ("notice_date", "2099-01-01", "That date is in the future."),
        ("notice_date", "someday", "Please pick the date from the calendar."),
        ("notice_text", "short", "Please write at least 10 characters."),
        ("member_since", "long ago", "Please write the year you joined"),
        ("triggers", ["vpn_travel", "aliens"], "Please tick at least one."),
        ("explanation", "it was a mistake", "at least 40 characters"),
        ("explanation", "x" * 12_001, "That is 12001 characters; I can take up to 12000 here."),
        ("contact_email", "nope", "does not look like an e-mail address"),
        ("consent", ["no"], "Please tick the box"),
    ],
)
def test_each_kind_of_answer_is_checked_and_a_bad_one_is_named_by_its_step(
    desk: Desk, key: str, raw: Any, says: str
) -> None:
    changes = {key: raw, "contact": "email"} if key == "contact_email" else {key: raw}
    checked = check(desk, typed(**changes))

    assert set(checked.errors) == {key}
    assert says in message(desk, checked, key)
    assert key not in checked.answers


def test_errors_are_given_for_every_bad_field_at_once(desk: Desk) -> None:
    checked = check(desk, typed(account="", triggers=[], badge="purple", consent=[]))

    assert set(checked.errors) == {"account", "triggers", "badge", "consent"}
    assert message(desk, checked, "account") == "Please fill this in."
    assert "Please tick at least one" in message(desk, checked, "triggers")


def test_answers_are_read_as_forgivingly_as_in_the_conversation(desk: Desk) -> None:
    checked = check(
        desk,
        typed(
            what_happened="permanantly suspended",
            notice_date="20.11",
            notice_text="No notice received",
            earnings="about 15k",
            triggers="vpn, client dispute",
            consent="ok",
        ),
    )

    assert checked.ok, checked.errors
    values = {key: answer["value"] for key, answer in checked.answers.items()}
    assert values["what_happened"] == "permanent" and values["notice_date"] == "2026-11-20"
    assert values["notice_text"] == "none" and values["earnings"] == "10k_100k"
    assert values["triggers"] == ["vpn_travel", "dispute"] and values["consent"] is True


def test_a_date_that_reads_two_ways_is_asked_again_unless_the_locale_settles_it(desk: Desk) -> None:
    unsure = check(desk, typed(notice_date="11/05"))
    assert "Mon 11 May 2026 or Thu 05 Nov 2026" in message(desk, unsure, "notice_date")

    british = check(desk, typed(notice_date="11/05"), locale="en-GB")
    assert british.ok and british.answers["notice_date"]["value"] == "2026-05-11"


def test_conditional_steps_are_only_checked_when_they_apply(desk: Desk) -> None:
    worried = check(
        desk, typed(what_happened="worried", notice_date="", reason_given="", contact_email="never read", consent="y")
    )

    assert worried.ok, worried.errors
    assert not {"notice_date", "notice_text", "reason_given", "contact_email"} & set(worried.answers)
    by_email = check(desk, typed(contact="email"))
    assert set(by_email.errors) == {"contact_email"}


def test_an_account_the_user_already_appeals_for_is_refused_on_the_account_field(desk: Desk) -> None:
    user = ChatUser(desk, name="webby")
    reference = file_appeal(user)
    known = desk.user_of("terminal", "webby")
    assert known is not None

    checked = check(desk, typed(), user_id=known.id)

    assert set(checked.errors) == {"account"}
    assert reference in message(desk, checked, "account")
    assert check(desk, typed(account="another_account"), user_id=known.id).ok


def test_submitting_files_the_appeal_and_tells_the_user(desk: Desk) -> None:
    exe = Attachment("tool.pdf", "application/pdf", 4, lambda: b"MZ\x90\x00")
    handled = desk.intake_form.submit(WEB_USER, "Webby", check(desk, typed()), (pdf(), exe))

    refused, submitted = handled.replies
    assert refused.template == "intake/files_received.j2"
    assert refused.context["refused"] == [{"name": "tool.pdf", "reason": "mismatch"}]
    assert submitted.template == "intake/submitted.j2" and submitted.context["reference"] == "AD-2026-000001"
    with desk.db.session() as session:
        ticket = session.exec(select(Ticket)).one()
        [kept] = session.exec(select(Evidence)).all()
    assert ticket.answers["evidence"]["value"] == [kept.id] and kept.ticket_id == ticket.id
    assert list(ticket.answers) == [
        "account",
        "what_happened",
        "notice_date",
        "notice_text",
        "reason_given",
        "member_since",
        "badge",
        "earnings",
        "triggers",
        "explanation",
        "evidence",
        "contact",
        "consent",
    ]


def test_a_form_filed_twice_for_one_account_shows_the_open_appeal_and_keeps_no_files(desk: Desk) -> None:
    checked = check(desk, typed())
    desk.intake_form.submit(WEB_USER, None, checked, ())

    handled = desk.intake_form.submit(WEB_USER, None, checked, (pdf(),))

    [reply] = handled.replies
    assert reply.template == "intake/account_has_appeal.j2" and reply.context["reference"] == "AD-2026-000001"
    with desk.db.session() as session:
        assert len(session.exec(select(Ticket)).all()) == 1
        assert session.exec(select(Evidence)).all() == []


def _as_filed(desk: Desk, ticket: Ticket) -> dict[str, Any]:
    """What an agent sees of a filed appeal, minus when each answer came and which account it is."""
    with desk.db.session() as session:
        files = session.exec(select(Evidence).where(Evidence.ticket_id == ticket.id)).all()
    answers = {
        key: {name: value for name, value in answer.items() if name != "at"}
        for key, answer in ticket.answers.items()
        if key not in ("account", "evidence")
    }
    return {
        "kind": ticket.kind,
        "status": ticket.status,
        "answers": answers,
        "order": list(ticket.answers),
        "checklist": ticket.checklist,
        "suggested_entries": ticket.suggested_entries,
        "files": [(item.name, item.sha256, item.source) for item in files],
    }


def test_the_form_files_the_same_ticket_as_the_guided_conversation(desk: Desk) -> None:
    """One appeal, given once in the chat and once as a form: the agents get the same ticket."""
    guided_reference = file_appeal(ChatUser(desk, name="olga"), account="olga_dev", files=(pdf(),))
    raw = typed(account="olga_on_the_web", notice_text="none", reason_given="No reason given", triggers=["1"])
    handled = desk.intake_form.submit(WEB_USER, "Webby", check(desk, raw), (pdf(),))

    form_reference = handled.replies[-1].context["reference"]
    with desk.db.session() as session:
        guided, form = (
            session.exec(select(Ticket).where(Ticket.reference == reference)).one()
            for reference in (guided_reference, form_reference)
        )
    assert _as_filed(desk, form) == _as_filed(desk, guided)
    assert (form.account_key, guided.account_key) == ("profile:olga_on_the_web", "profile:olga_dev")


def test_with_a_record_the_fields_it_answers_may_stay_empty_and_take_the_records_answers(desk: Desk) -> None:
    record_action(desk, action="temporary_hold", reason="location-or-vpn")
    checked = check(desk, typed(what_happened="", notice_date="", reason_given=""))

    assert checked.ok, checked.errors
    answers = {key: checked.answers[key] for key in ("what_happened", "notice_date", "reason_given")}
    assert {key: answer["value"] for key, answer in answers.items()} == {
        "what_happened": "hold",
        "notice_date": "2026-11-25",
        "reason_given": "irregular",
    }
    assert {answer["from"] for answer in answers.values()} == {"platform"}


def test_with_a_record_a_field_the_user_filled_in_is_theirs(desk: Desk) -> None:
    record_action(desk, action="temporary_hold")
    checked = check(desk, typed(what_happened="Permanently suspended", notice_date="", reason_given=""))
    assert checked.answers["what_happened"]["value"] == "permanent" and "from" not in checked.answers["what_happened"]
    assert checked.answers["notice_date"]["from"] == "platform"


def test_without_a_record_what_happened_is_still_needed(desk: Desk) -> None:
    record_action(desk, account="someone_else")
    checked = check(desk, typed(what_happened=""))
    assert set(checked.errors) == {"what_happened"}


def test_the_filed_form_shows_the_record_and_what_it_answered_before_the_reference(desk: Desk) -> None:
    record_action(desk)
    handled = desk.intake_form.submit(WEB_USER, "Webby", check(desk, typed(what_happened="", reason_given="")), ())

    shown, submitted = handled.replies
    assert (shown.template, submitted.template) == ("intake/on_record.j2", "intake/submitted.j2")
    text = desk.renderer.reply(shown)
    assert "WorkMarket has this on record for your account: a permanent suspension" in text
    assert "The rule: Letting someone else use your account" in text
    assert "I took what you left empty from this record: what happened, reason given." in text
    assert "You can change them before you send" not in text  # it is sent already
    with desk.db.session() as session:
        ticket = session.exec(select(Ticket)).one()
    assert ticket.answers["notice_date"]["value"] == "2026-11-24" and "from" not in ticket.answers["notice_date"]
    assert ticket.answers["reason_given"]["from"] == "platform"


def test_the_form_lets_the_fields_a_record_may_answer_stay_empty(desk: Desk) -> None:
    """The channel's form (Slack checks required fields itself) cannot know the record before the account."""
    assert not required(STEP_BY_KEY["what_happened"])
    assert required(STEP_BY_KEY["account"]) and required(STEP_BY_KEY["explanation"])
