"""Block Kit building and Slack's text conventions, without a server."""

from __future__ import annotations

import pytest

from bot.channels.slack.blocks import MAX_BLOCKS, button, paginate, sections, split_text
from bot.channels.slack.command import core_command
from bot.channels.slack.inbound import plain_text
from bot.channels.slack.views import input_block, modal, text_element


def test_split_text_keeps_sections_short_and_escapes_whole() -> None:
    text = "&amp;" * 1000
    chunks = split_text(text, 3000)
    assert all(len(chunk) <= 3000 for chunk in chunks)
    assert "".join(chunks) == text
    assert all(chunk.endswith(";") for chunk in chunks)


def test_paginate_keeps_each_message_within_fifty_blocks() -> None:
    pages = paginate(sections("line\n" * 5000) * 3, "fallback")
    assert all(len(blocks) <= MAX_BLOCKS for blocks, _ in pages)
    assert pages[0][1] == "fallback"


def test_button_limits() -> None:
    element = button("x" * 200, "reply:0:0", "go:status")
    assert len(element["text"]["text"]) == 75
    with pytest.raises(ValueError):
        button("ok", "reply:0:0", "v" * 2001)


def test_slack_markup_is_turned_back_into_what_the_user_typed() -> None:
    assert plain_text("<mailto:me@example.com|me@example.com>") == "me@example.com"
    assert plain_text("<https://x.com/freelancers/~01abc>") == "https://x.com/freelancers/~01abc"
    assert plain_text("&lt;b&gt; &amp; <!channel> <@U123>") == "<b> & @channel @U123"
    assert plain_text("<https://evil|click>") == "click (https://evil)"


def test_appeal_subcommands_map_to_the_core_commands() -> None:
    assert core_command("") == "/appeal"
    assert core_command("status") == "/status"
    assert core_command("ask is a VPN ok?") == "/ask is a VPN ok?"
    assert core_command("my account was suspended") == "/appeal"
    assert core_command("kb test is a VPN ok?") == "/kb test is a VPN ok?"


def test_a_modal_is_built_by_slack_sdk_within_slacks_limits() -> None:
    view = modal(
        "cb", "A title much longer than Slack allows", sections("*AD-1*"), "Send it now please, thanks", "Close"
    )
    assert len(view["title"]["text"]) == 24 and view["title"]["text"].endswith("…")
    assert view["type"] == "modal" and len(view["submit"]["text"]) == 24
    field = input_block("message", "Label", text_element(multiline=True, max_length=10_000))
    assert field["element"] == {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": 3000}
