"""Block Kit building within Slack's limits: section length, blocks per message, button sizes.

Blocks are built with `slack_sdk.models`, whose `to_dict()` checks Slack's limits (a button's text,
value and action id, a section's text) and raises rather than send what Slack would refuse; texts
are shortened to fit first. Text handed to these functions is already mrkdwn from the renderer,
which escaped every value; button texts are plain text and need no escaping.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, MarkdownTextObject, PlainTextObject, SectionBlock

from bot.channels.slack.plugin import CAPABILITIES, MAX_BUTTON_VALUE, MAX_SECTION_CHARS, SLACK_MRKDWN
from bot.core.events import Button, Reply
from bot.core.rendering import Renderer
from bot.core.splitting import message_parts

Block = dict[str, Any]

MAX_BLOCKS = 50
MAX_BUTTON_TEXT = 75
MAX_ACTION_ID = 255
MAX_ACTIONS_PER_BLOCK = 25
MAX_FALLBACK_CHARS = 3000
MAX_PLAIN_TEXT = 75
USER_ACTION_PREFIX = "reply:"


def split_text(text: str, limit: int = MAX_SECTION_CHARS) -> list[str]:
    """Cut by the core's rule (between paragraphs, lines, sentences, then words), never inside an
    escape like `&amp;` or a `<link|text>`."""
    return message_parts(text, SLACK_MRKDWN, replace(CAPABILITIES, max_text_chars=limit))


def sections(text: str) -> list[Block]:
    return [SectionBlock(text=MarkdownTextObject(text=chunk)).to_dict() for chunk in split_text(text)]


def plain_text(text: str, limit: int = MAX_PLAIN_TEXT) -> PlainTextObject:
    """A plain_text object, shortened to Slack's limit for where it is used."""
    return PlainTextObject(text=shorten(text, limit), emoji=True)


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    if len(value) > MAX_BUTTON_VALUE or len(action_id) > MAX_ACTION_ID:
        raise ValueError(f"button {action_id!r} exceeds Slack's limits")
    shown = style if style in ("primary", "danger") else None
    return ButtonElement(text=plain_text(text), action_id=action_id, value=value, style=shown).to_dict()


def actions(elements: Sequence[Block]) -> list[Block]:
    return [
        ActionsBlock(elements=list(elements[i : i + MAX_ACTIONS_PER_BLOCK])).to_dict()
        for i in range(0, len(elements), MAX_ACTIONS_PER_BLOCK)
    ]


def reply_buttons(renderer: Renderer, rows: tuple[tuple[Button, ...], ...]) -> list[Block]:
    """One actions block per row; action ids are unique within the message, the value is the core's payload."""
    blocks: list[Block] = []
    for r, row in enumerate(rows):
        elements = [
            button(renderer.label(item), f"{USER_ACTION_PREFIX}{r}:{c}", item.payload, item.style)
            for c, item in enumerate(row)
        ]
        blocks.extend(actions(elements))
    return blocks


def reply_messages(renderer: Renderer, reply: Reply) -> list[tuple[list[Block], str]]:
    """A reply as one or more messages of blocks, each with its notification text."""
    text = renderer.reply(reply, "slack_mrkdwn")
    return paginate([*sections(text), *reply_buttons(renderer, reply.buttons)], text)


def paginate(blocks: Iterable[Block], text: str) -> list[tuple[list[Block], str]]:
    """At most 50 blocks per message; the fallback text goes with the first message."""
    items = list(blocks)
    pages = [items[i : i + MAX_BLOCKS] for i in range(0, len(items), MAX_BLOCKS)] or [[]]
    fallback = shorten(text, MAX_FALLBACK_CHARS)
    return [
        (page, fallback if i == 0 else shorten(_page_text(page), MAX_FALLBACK_CHARS)) for i, page in enumerate(pages)
    ]


def _page_text(page: list[Block]) -> str:
    return "\n".join(block["text"]["text"] for block in page if block.get("type") == "section") or "…"
