"""Telegram's message shape: the 4096-character limit, split without breaking the HTML, and inline keyboards."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.core.events import Button
from bot.core.rendering import Renderer

log = logging.getLogger(__name__)

MESSAGE_LIMIT = MessageLimit.MAX_TEXT_LENGTH
CALLBACK_DATA_LIMIT = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA

_HTML_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|[^<&]+|[<&]")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w-]*)")

# Where a message may be cut, best first: between paragraphs, between lines, between words, anywhere.
_PARAGRAPH, _LINE, _WORD, _ANYWHERE = range(4)


def units(text: str) -> int:
    """Telegram counts UTF-16 code units, so an emoji can take two."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = MESSAGE_LIMIT, html: bool = True) -> list[str]:
    """Cuts `text` into messages of at most `limit` units, each valid Telegram HTML on its own.

    Paragraph boundaries are preferred, then line breaks, then spaces; a cut inside an open tag
    (a long quote, say) closes the tag at the end of one part and opens it again in the next.
    """
    parts: list[str] = []
    rest = text.strip()
    while units(rest) > limit:
        cut, stack = _cut(rest, limit, html)
        head = rest[:cut].rstrip()
        closing = "".join(f"</{_tag_name(tag)}>" for tag in reversed(stack))
        if head:
            parts.append(head + closing)
        rest = "".join(stack) + rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def _tag_name(tag: str) -> str:
    match = _TAG_NAME.match(tag)
    return match.group(1).lower() if match else ""


def _tokens(text: str, html: bool) -> list[str]:
    if not html:
        return list(text)
    tokens: list[str] = []
    for token in _HTML_TOKEN.findall(text):
        # plain runs are split per character so a cut can fall anywhere inside them
        tokens.extend([token] if token[0] in "<&" else list(token))
    return tokens


def _cut(text: str, limit: int, html: bool) -> tuple[int, list[str]]:
    """The best place to cut within `limit`, and the tags open there."""
    best: dict[int, tuple[int, list[str]]] = {}
    stack: list[str] = []
    position = used = 0
    previous = ""
    for token in _tokens(text, html):
        closing = sum(units(f"</{_tag_name(tag)}>") for tag in stack)
        if position and used + closing <= limit:
            if token == "\n" and previous == "\n" and not stack:
                best[_PARAGRAPH] = (position, [])
            elif token == "\n" and not stack:
                best[_LINE] = (position, [])
            elif token.isspace():
                best[_WORD] = (position, list(stack))
            elif not (token.startswith("</") or (previous.startswith("<") and not previous.startswith("</"))):
                best[_ANYWHERE] = (position, list(stack))
        if used + closing > limit:
            break
        if html and token.startswith("</"):
            if stack:
                stack.pop()
        elif html and token.startswith("<") and len(token) > 1 and not token.endswith("/>"):
            stack.append(token)
        position += len(token)
        used += units(token)
        previous = token
    for rank in (_PARAGRAPH, _LINE, _WORD, _ANYWHERE):
        if rank in best:
            return best[rank]
    return max(position, 1), list(stack)


def keyboard(renderer: Renderer, rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """The core's buttons as an inline keyboard.

    Telegram refuses a whole message if one button carries more than 64 bytes, so such a button
    is left out (and logged): the user still gets the reply and the other buttons.
    """
    markup: list[list[InlineKeyboardButton]] = []
    for row in rows:
        fitting = [button for button in row if _fits(button)]
        if fitting:
            markup.append(
                [InlineKeyboardButton(renderer.label(button), callback_data=button.payload) for button in fitting]
            )
    return InlineKeyboardMarkup(markup) if markup else None


def _fits(button: Button) -> bool:
    if len(button.payload.encode()) <= CALLBACK_DATA_LIMIT:
        return True
    log.warning(
        "left out button %r: callback data over %s bytes: %r", button.label, CALLBACK_DATA_LIMIT, button.payload
    )
    return False
