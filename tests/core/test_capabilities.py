"""The core fits its replies to what the channel's messages hold, whatever the channel is called.

A made-up channel with small capabilities gets the degraded forms: buttons beyond its limit in
further messages, numbered choices to type where it has no buttons, a new message where it cannot
edit one, and no button whose payload it cannot carry.
"""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from bot.core.capabilities import Capabilities
from bot.core.events import Button, Inbound, Reply
from bot.core.fitting import MORE_CHOICES, TYPED_CHOICES, fit, pages
from bot.desk import Desk
from bot.store.models import OutboxMessage
from tests.chat import ChatUser, walk_to_triggers

WELCOME = "idle/welcome.j2"


def on(desk: Desk, caps: Capabilities) -> ChatUser:
    desk.engine.capabilities["tiny"] = caps
    return ChatUser(desk, channel="tiny")


def number_of(user: ChatUser, label: str) -> str:
    found = re.search(rf"^(\d+)\. (?:✓ )?{re.escape(label)}$", user.text(), re.MULTILINE)
    assert found, f"{label!r} is not listed in:\n{user.text()}"
    return found.group(1)


def test_buttons_beyond_what_one_message_holds_go_to_the_next_message(desk: Desk) -> None:
    user = on(desk, Capabilities(max_buttons=1, edits_messages=True))

    user.send("hello")

    assert user.templates() == [WELCOME, MORE_CHOICES]
    assert [len(reply.all_buttons()) for reply in user.last] == [1, 1]
    user.press("First, ask a question")
    assert user.templates() == ["idle/ask_prompt.j2"]


def test_a_channel_without_buttons_lists_the_choices_and_a_typed_number_is_the_tap(desk: Desk) -> None:
    user = on(desk, Capabilities(max_buttons=0))

    user.send("hello")

    assert user.templates() == [WELCOME, TYPED_CHOICES]
    assert not any(reply.buttons for reply in user.last)
    assert "1. Start appeal\n2. First, ask a question" in user.text()
    user.send(number_of(user, "Start appeal"))
    assert "Which account is it?" in user.text()


def test_typed_numbers_walk_the_intake_and_count_across_the_turns_messages(desk: Desk) -> None:
    user = on(desk, Capabilities(max_buttons=0))
    user.send("/appeal")
    user.send("olegz_dev")

    user.send(number_of(user, "Permanently suspended"))

    assert user.templates()[0] == "intake/steps/notice_date.j2"
    user.send("/help")  # a detour lists the question's choices again, numbered after the help's own
    numbers = [int(n) for n in re.findall(r"^(\d+)\. ", user.text(), re.MULTILINE)]
    assert numbers == list(range(1, len(numbers) + 1))


def test_a_number_means_a_choice_only_while_choices_are_listed(desk: Desk) -> None:
    user = on(desk, Capabilities(max_buttons=0))
    user.send("hello")
    user.send("/status")  # lists no choices: the welcome's numbers are stale now
    assert TYPED_CHOICES not in user.templates()

    user.send("1")

    assert "Which account is it?" not in user.text()


def test_where_messages_cannot_be_edited_a_pressed_messages_new_state_is_a_new_message(desk: Desk) -> None:
    user = on(desk, Capabilities(edits_messages=False))
    walk_to_triggers(user)
    tap = Inbound(user.identity, payload=user.payload("VPN or travel"), update_id="tap", pressed_message_id="m-1")

    [reply] = desk.handle(tap)

    with desk.db.session() as session:
        edits = [row.edit_message_id for row in session.exec(select(OutboxMessage))]
    assert reply.replaces_buttons and len(edits) > 1 and not any(edits)


def test_a_button_whose_payload_the_channel_cannot_carry_is_left_out(caplog: pytest.LogCaptureFixture) -> None:
    reply = Reply(WELCOME, {}, ((Button("go.appeal", "go:appeal"), Button("kb.entry", "kb:" + "x" * 20)),))

    [fitted] = fit([reply], Capabilities(max_button_data=16)).replies

    assert [button.payload for button in fitted.all_buttons()] == ["go:appeal"]
    assert "over 16 bytes" in caplog.text


def test_a_row_longer_than_a_message_holds_is_cut_and_the_order_kept() -> None:
    row = tuple(Button(str(n), f"go:{n}") for n in range(5))
    grouped = pages((row[:2], row[2:]), 2)
    assert [[[button.label for button in r] for r in page] for page in grouped] == [[["0", "1"]], [["2", "3"]], [["4"]]]


def test_a_channel_without_limits_gets_the_replies_as_they_are() -> None:
    reply = Reply(WELCOME, {}, ((Button("go.appeal", "go:appeal"), Button("go.ask", "go:ask")),))
    assert fit([reply], Capabilities()).replies == [reply]
