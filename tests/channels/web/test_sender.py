"""The web sender: an outbox row is delivered once it is in the user's transcript, once, and escaped."""

from __future__ import annotations

from bot.channels.registry import configured_channels
from bot.channels.web.channel import WebChannel
from bot.channels.web.transcript import Transcript
from bot.core.events import Button
from bot.core.outbox import Delivered, Outbound
from bot.desk import Desk


def notice(outbox_id: int = 7, **fields: object) -> Outbound:
    values: dict[str, object] = {
        "id": outbox_id,
        "channel": "web",
        "chat_id": "chat-1",
        "kind": "user",
        "template": "idle/ask_usage.j2",
        "context": {},
        "buttons": ((Button("go.human", "go:human"),),),
        "ticket_id": None,
        "attempts": 0,
    }
    values.update(fields)
    return Outbound(**values)  # type: ignore[arg-type]


async def test_a_row_sent_twice_is_stored_once_and_delivered_as_the_same_message(web: WebChannel) -> None:
    first = await web.sender.send(notice())
    again = await web.sender.send(notice())
    assert isinstance(first, Delivered) and first == again
    [entry] = web.transcript.after("chat-1")
    assert str(entry.id) == first.message_id
    assert entry.buttons == [[{"label": "Talk to a person", "payload": "go:human", "style": None}]]


async def test_the_plain_text_retry_is_escaped_and_has_no_buttons(web: WebChannel) -> None:
    await web.sender.send(notice(template="errors/internal.j2", as_plain_text=True))
    [entry] = web.transcript.after("chat-1")
    assert entry.buttons == [] and "<" not in entry.body.replace("&lt;", "")


async def test_a_pressed_message_is_replaced_by_its_new_state(web: WebChannel) -> None:
    await web.sender.send(notice(1))
    await web.sender.send(notice(2, edit_message_id="1"))
    first, second = web.transcript.after("chat-1")
    assert second.replaces == first.id


async def test_another_chats_messages_are_not_this_chats(web: WebChannel) -> None:
    delivered = await web.sender.send(notice())
    assert isinstance(delivered, Delivered) and delivered.message_id is not None
    transcript: Transcript = web.transcript
    assert transcript.get("chat-1", int(delivered.message_id)) is not None
    assert transcript.get("chat-2", int(delivered.message_id)) is None and transcript.after("chat-2") == []


def test_the_web_chat_starts_with_nothing_to_configure(desk: Desk) -> None:
    assert [channel.name for channel in configured_channels(desk)] == ["web"]
