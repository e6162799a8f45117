"""The appeal as one modal form, and the App Home tab."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.store.models import Evidence, Ticket
from tests.channels.slack.conftest import SlackHarness, choose, typed
from tests.platform import record_action


def form(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "account": typed("olegz_dev"),
        "what_happened": choose("permanent"),
        "notice_date": {"type": "datepicker", "selected_date": "2020-01-02"},
        "notice_text": typed(""),
        "reason_given": choose("none"),
        "member_since": typed("2019"),
        "badge": choose("top"),
        "earnings": {"type": "static_select", "selected_option": None},
        "triggers": {"type": "checkboxes", "selected_options": [{"value": "vpn_travel"}]},
        "explanation": typed("I was travelling in Portugal and used my usual VPN for client work."),
        "evidence": {"type": "file_input", "files": [{"id": "FFORM"}]},
        "contact": choose("email", "radio_buttons"),
        "contact_email": typed("me@example.com"),
        "consent": {"type": "checkboxes", "selected_options": [{"value": "yes"}]},
    }
    values.update(changes)
    return values


async def test_form_shows_invalid_fields_inline_then_files_the_same_appeal(slack: SlackHarness) -> None:
    await slack.command("U5", "form")
    view = slack.fake.to("views.open")[-1]["view"]
    assert view["callback_id"] == "appeal_form"
    assert {block.get("block_id") for block in view["blocks"]} >= {"account", "triggers", "evidence", "consent"}

    bad = form(
        account=typed("not an account!"),
        contact_email=typed("nope"),
        consent={"type": "checkboxes", "selected_options": []},
    )
    response = await slack.submit("U5", "appeal_form", bad)
    errors = response.json()["errors"]
    assert response.json()["response_action"] == "errors"
    assert set(errors) == {"account", "contact_email", "consent"}
    assert "could not read that as an account" in errors["account"]
    assert slack.desk.user_of("slack", "U5") is None

    slack.fake.add_file("FFORM", "notice.png", "image/png", b"\x89PNG notice")
    response = await slack.submit("U5", "appeal_form", form())
    assert response.status_code == 200 and not response.content
    told = slack.last_text("DU5")
    assert "Your reference is" in told
    with slack.desk.db.session() as session:
        ticket = session.exec(select(Ticket)).one()
        files = list(session.exec(select(Evidence).where(Evidence.ticket_id == ticket.id)))
    answers = ticket.answers
    assert list(answers) == [
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
        "contact_email",
        "consent",
    ]
    assert answers["account"]["key"] == "profile:olegz_dev" and answers["notice_text"]["value"] == "none"
    assert answers["earnings"]["skipped"] is True and answers["consent"]["value"] is True
    assert answers["evidence"]["value"] == [files[0].id] and files[0].name == "notice.png"
    assert all(len(answers[key]["sha256"]) == 64 for key in answers if not answers[key].get("skipped"))
    assert ticket.account_key == "profile:olegz_dev"

    # a second form for the same account is refused on the account field
    response = await slack.submit("U5", "appeal_form", form(evidence={"type": "file_input", "files": []}))
    assert "already have an open appeal" in response.json()["errors"]["account"]


async def test_conditional_fields_are_only_required_when_they_apply(slack: SlackHarness) -> None:
    worried = form(
        what_happened=choose("worried"),
        notice_date={"type": "datepicker", "selected_date": None},
        reason_given={"type": "static_select", "selected_option": None},
        contact=choose("chat", "radio_buttons"),
        contact_email=typed(""),
        evidence={"type": "file_input", "files": []},
    )
    response = await slack.submit("U6", "appeal_form", worried)
    assert not response.content
    with slack.desk.db.session() as session:
        answers = session.exec(select(Ticket)).one().answers
    assert "notice_date" not in answers and "contact_email" not in answers


async def test_app_home_lists_appeals_and_starts_one(slack: SlackHarness) -> None:
    await slack.event({"type": "app_home_opened", "user": "U8", "channel": "DU8", "tab": "home"})
    home = slack.fake.to("views.publish", user_id="U8")[-1]["view"]
    assert "no appeals" in str(home["blocks"])
    actions = {e["action_id"] for block in home["blocks"] for e in block.get("elements") or []}
    assert actions == {"home:appeal", "home:form", "home:status"}
    assert any(block.get("element", {}).get("action_id") == "home:search" for block in home["blocks"])

    await slack.action("U8", "home:appeal", "go:appeal", "DU8")
    assert "Which account is it?" in slack.last_text("DU8")
    await slack.action("U8", "home:form", "form", "DU8")
    assert slack.fake.to("views.open")[-1]["view"]["callback_id"] == "appeal_form"

    await slack.interact(
        {
            "type": "block_actions",
            "user": {"id": "U8", "name": "u8"},
            "trigger_id": "t-search",
            "container": {"type": "view", "view_id": "V1"},
            "view": {"id": "V1", "type": "home"},
            "actions": [
                {
                    "action_id": "home:search",
                    "block_id": "search",
                    "type": "plain_text_input",
                    "value": "can I use a VPN?",
                    "action_ts": "1",
                }
            ],
        }
    )
    assert slack.fake.messages("DU8")[-1]["channel"] == "DU8"
    assert len(slack.fake.messages("DU8")) >= 3


async def test_with_the_platforms_record_the_form_takes_what_it_answers_and_shows_it(slack: SlackHarness) -> None:
    record_action(slack.desk)
    await slack.command("U7", "form")
    view = slack.fake.to("views.open")[-1]["view"]
    [what] = [block for block in view["blocks"] if block.get("block_id") == "what_happened"]
    assert what["optional"] is True  # the record, once the account is known, may answer it
    assert "you can leave what happened, the date and the reason empty" in str(view["blocks"])

    from_record = form(
        what_happened={"type": "static_select", "selected_option": None},
        notice_date={"type": "datepicker", "selected_date": None},
        reason_given={"type": "static_select", "selected_option": None},
        evidence={"type": "file_input", "files": []},
    )
    response = await slack.submit("U7", "appeal_form", from_record)
    assert not response.content
    told = "\n".join(
        block["text"]["text"]
        for message in slack.fake.messages("DU7")
        for block in message["blocks"]
        if block["type"] == "section"
    )
    assert "WorkMarket has this on record for your account: *a permanent suspension*" in told
    assert "I took what you left empty from this record: what happened, date of the notice, reason given." in told
    with slack.desk.db.session() as session:
        answers = session.exec(select(Ticket)).one().answers
    assert {answers[key]["from"] for key in ("what_happened", "notice_date", "reason_given")} == {"platform"}
