"""A text longer than a channel's message takes, cut into parts that each read and render on their own.

The cut falls where a reader pauses (between paragraphs, then lines, then sentences, then words),
never inside an escape like `&amp;` or a `<...>` token, and a tag open at the cut is closed at the
end of one part and opened again in the next, so each part is valid markup of its format.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.core.capabilities import Capabilities
from bot.core.rendering import RenderFormat

_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|[^<&]+|[<&]")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w-]*)")

# Where a part may end, best first.
_PARAGRAPH, _LINE, _SENTENCE, _WORD, _ANYWHERE = range(5)


def message_parts(text: str, fmt: RenderFormat, caps: Capabilities) -> list[str]:
    """`text` (rendered in `fmt`) as the messages the channel needs; one part if it fits or has no limit."""
    if caps.max_text_chars is None:
        stripped = text.strip()
        return [stripped] if stripped else []
    return split_text(text, caps.max_text_chars, fmt.markup, caps.length)


def split_text(text: str, limit: int, markup: str = "none", length: Callable[[str], int] = len) -> list[str]:
    """Cuts `text` into parts of at most `limit` (as `length` counts), keeping `markup` whole."""
    parts: list[str] = []
    rest = text.strip()
    while length(rest) > limit:
        cut, stack = _cut(rest, limit, markup, length)
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


def _tokens(text: str, markup: str) -> list[str]:
    if markup == "none":
        return list(text)
    tokens: list[str] = []
    for token in _TOKEN.findall(text):
        # plain runs are split per character so a cut can fall anywhere inside them
        tokens.extend([token] if token[0] in "<&" else list(token))
    return tokens


def _cut(text: str, limit: int, markup: str, length: Callable[[str], int]) -> tuple[int, list[str]]:
    """The best place to cut within `limit`, and the tags open there."""
    tags = markup == "tags"
    best: dict[int, tuple[int, list[str]]] = {}
    stack: list[str] = []
    position = used = 0
    previous = ""
    for token in _tokens(text, markup):
        closing = sum(length(f"</{_tag_name(tag)}>") for tag in stack)
        if position and used + closing <= limit:
            if token == "\n" and previous == "\n" and not stack:
                best[_PARAGRAPH] = (position, [])
            elif token == "\n" and not stack:
                best[_LINE] = (position, [])
            elif token.isspace() and previous in (".", "!", "?"):
                best[_SENTENCE] = (position, list(stack))
            elif token.isspace():
                best[_WORD] = (position, list(stack))
            elif not tags or not (token.startswith("</") or (previous.startswith("<") and not previous.startswith("</"))):
                best[_ANYWHERE] = (position, list(stack))
        if used + closing > limit:
            break
        if tags and token.startswith("</"):
            if stack:
                stack.pop()
        elif tags and token.startswith("<") and len(token) > 1 and not token.endswith("/>"):
            stack.append(token)
        position += len(token)
        used += length(token)
        previous = token
    for rank in (_PARAGRAPH, _LINE, _SENTENCE, _WORD, _ANYWHERE):
        if rank in best:
            return best[rank]
    return max(position, 1), list(stack)
