"""Posting rendered text to a chat: split at the length limit, with a plain-text fallback.

The pace is kept by the bot's AIORateLimiter (`ratelimits.py`), which every call goes through.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import ForceReply, InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ExtBot

from bot.channels.telegram.files import with_telegram_limit
from bot.channels.telegram.formatting import split_message
from bot.config import Settings
from bot.core.rendering import Renderer

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ForceReply
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
T = TypeVar("T")
# Hears of each part as it goes out: how many are out now, and the part's message.
PartSent = Callable[[int, Message], Awaitable[None]]


@dataclass(frozen=True)
class Text:
    """A message in Telegram HTML, and how to get it as plain text if Telegram refuses the HTML."""

    html: str
    plain: Callable[[], str]


def is_parse_error(error: BadRequest) -> bool:
    return "can't parse entities" in error.message.lower()


def is_not_modified(error: BadRequest) -> bool:
    return "message is not modified" in error.message.lower()


class Poster:
    """Sends and edits; `flood_retries` is how many 429s the rate limiter waits out before raising.

    The outbox's poster has none (the outbox retries, per chat); one answering a person in the chat may.
    """

    def __init__(self, bot: ExtBot[Any], renderer: Renderer, settings: Settings, flood_retries: int = 0) -> None:
        self.bot = bot
        self.renderer = renderer
        self.settings = settings
        self.flood_retries = flood_retries

    def render(self, template: str, context: Mapping[str, Any]) -> Text:
        context = with_telegram_limit(context, self.settings)
        return Text(
            self.renderer.render(template, context, "telegram_html"),
            lambda: self.renderer.render(template, context, "plain"),
        )

    async def send(
        self,
        chat_id: str,
        text: Text,
        markup: Markup | None = None,
        markup_on_first: bool = False,
        reply_to: int | None = None,
    ) -> list[Message]:
        """Sends the text in as many messages as it needs; the keyboard goes on the last (or first) one."""
        try:
            return await self.send_parts(
                chat_id, split_message(text.html), ParseMode.HTML, markup, markup_on_first, reply_to
            )
        except BadRequest as error:
            if not is_parse_error(error):
                raise
            log.warning("Telegram refused the HTML (%s); sending plain text to %s", error.message, chat_id)
        plain = split_message(text.plain(), html=False)
        return await self.send_parts(chat_id, plain, None, markup, markup_on_first, reply_to)

    async def edit(self, chat_id: str, message_id: int, text: Text, markup: InlineKeyboardMarkup | None) -> None:
        """Edits a message in place with the first part of the text; an unchanged message counts as done."""
        try:
            await self._edit(chat_id, message_id, split_message(text.html)[0], ParseMode.HTML, markup)
        except BadRequest as error:
            if not is_parse_error(error):
                raise
            await self._edit(chat_id, message_id, split_message(text.plain(), html=False)[0], None, markup)

    async def _edit(
        self, chat_id: str, message_id: int, text: str, parse_mode: str | None, markup: InlineKeyboardMarkup | None
    ) -> None:
        try:
            await self.bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=parse_mode,
                reply_markup=markup,
                link_preview_options=NO_PREVIEW,
                rate_limit_args=self.flood_retries,
            )
        except BadRequest as error:
            if not is_not_modified(error):
                raise

    async def send_parts(
        self,
        chat_id: str,
        parts: Sequence[str],
        parse_mode: str | None,
        markup: Markup | None = None,
        markup_on_first: bool = False,
        reply_to: int | None = None,
        first: int = 0,
        part_sent: PartSent | None = None,
    ) -> list[Message]:
        """Sends `parts[first:]` (the earlier ones are out already), telling `part_sent` of each one.

        The keyboard goes on the last (or first) part, and only the first part replies to `reply_to`.
        """
        sent = []
        keyed = 0 if markup_on_first else len(parts) - 1
        for index in range(first, len(parts)):
            message = await self.bot.send_message(
                chat_id,
                parts[index],
                parse_mode=parse_mode,
                reply_markup=markup if index == keyed else None,
                reply_parameters=(
                    ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to and index == 0 else None
                ),
                link_preview_options=NO_PREVIEW,
                rate_limit_args=self.flood_retries,
            )
            sent.append(message)
            if part_sent is not None:
                await part_sent(index + 1, message)
        return sent


async def quietly(action: Callable[[], Awaitable[T]]) -> T | None:
    """Runs a call made while answering someone, outside the outbox: what fails is logged, never raised.

    Flood limits were waited out by the rate limiter as far as the poster allows; nothing else is
    retried, and the person still has the button or the message to answer again.
    """
    try:
        return await action()
    except TelegramError as error:
        log.warning("Telegram refused a call: %s", error.message)
        return None
