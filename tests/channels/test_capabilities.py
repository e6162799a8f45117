"""What the core sends fits what every registered channel can hold, as its plugin declares it.

The core never asks which channel it talks to; instead its own limits (knowledge-base answers and
ids, the buttons of its replies) stay within every channel's capabilities.
"""

from __future__ import annotations

from sqlmodel import select

from bot.channels.registry import PLUGINS
from bot.core.events import Reply
from bot.core.fitting import fit
from bot.core.knowledge.validation import MAX_ANSWER_CHARS, MAX_ID_CHARS
from bot.core.outbox import buttons_from_json
from bot.desk import Desk
from bot.store.models import OutboxMessage
from tests.chat import ChatUser, file_appeal


def test_a_knowledge_answer_and_its_button_fit_every_channel() -> None:
    for plugin in PLUGINS:
        limits = plugin.capabilities
        assert limits.max_text_chars is None or limits.max_text_chars >= MAX_ANSWER_CHARS, plugin.name
        assert limits.max_button_data is None or len(f"kb:{'x' * MAX_ID_CHARS}") <= limits.max_button_data, plugin.name


def test_every_button_of_an_appeal_and_a_rule_answer_fits_every_channel(desk: Desk) -> None:
    user = ChatUser(desk)
    file_appeal(user)
    user.send("/ask is a VPN allowed?")
    user.send("/human")
    with desk.db.session() as session:
        messages = [buttons_from_json(row.buttons) for row in session.exec(select(OutboxMessage))]
    buttons = [[button for row in rows for button in row] for rows in messages]
    payloads = [button.payload for message in buttons for button in message]
    assert any(payload.startswith("kb:") or payload.startswith("fb:") for payload in payloads)
    for plugin in PLUGINS:
        limits = plugin.capabilities
        if limits.max_button_data is not None:
            too_long = [payload for payload in payloads if len(payload.encode()) > limits.max_button_data]
            assert not too_long, f"{plugin.name} cannot carry {too_long[0]!r}"
        if limits.max_buttons is not None:
            assert max(map(len, buttons)) <= limits.max_buttons, plugin.name


def test_each_channel_renders_in_its_own_format(desk: Desk) -> None:
    for plugin in PLUGINS:
        text = desk.renderer.render("idle/help.j2", {}, plugin.format.name)
        assert text, plugin.name


def test_every_real_channel_gets_an_appeals_replies_as_they_are(desk: Desk) -> None:
    """The degraded forms are for channels with smaller messages: none of the registered ones needs them."""
    user = ChatUser(desk)
    file_appeal(user)
    user.send("/ask is a VPN allowed?")
    with desk.db.session() as session:
        replies = [
            Reply(row.template, row.context, buttons_from_json(row.buttons)) for row in session.exec(select(OutboxMessage))
        ]
    assert any(reply.buttons for reply in replies)
    for plugin in PLUGINS:
        assert fit(replies, plugin.capabilities).replies == replies, plugin.name
