"""The outbox's Slack sender: user messages to their DM, and each ticket's card in the agents' channel.

Its card is published by the core's `CardPublisher`, through this sender's post, edit and thread:
the card in Block Kit, every change written to the card's thread.
Slack's answer decides what the outbox does next (`result_of`): 429 waits as long as Retry-After
says, a gone user or channel is undeliverable, a refusal of our own blocks or text is retried once
as plain text, anything else (network included) is retried with backoff.
"""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.card import Cards
from bot.channels.slack.chat import Chat
from bot.core.cards import Card, CardPublisher, Posted
from bot.core.outbox import CardRegistry, Delivered, DeliveryResult, Outbound, Rejected, RetryLater, Undeliverable
from bot.core.tickets.agent_view import AgentCardView

log = logging.getLogger(__name__)

UNDELIVERABLE_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "account_inactive",
        "is_archived",
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
    }
)
# Slack refused what we sent, not who we sent it to: a product error, never the user's.
OWN_OUTPUT_ERRORS = frozenset(
    {
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "invalid_arguments",
        "no_text",
        "too_many_attachments",
        "invalid_attachments",
        "invalid_metadata_format",
        "markdown_text_conflict",
    }
)
DEFAULT_RETRY_AFTER_SECONDS = 1.0


def result_of(error: SlackApiError) -> DeliveryResult:
    response = error.response
    code = str(response.get("error") or "unknown")
    if response.status_code == 429 or code == "ratelimited":
        headers = {str(key).lower(): value for key, value in (response.headers or {}).items()}
        try:
            retry_after = float(headers.get("retry-after", DEFAULT_RETRY_AFTER_SECONDS))
        except ValueError:
            retry_after = DEFAULT_RETRY_AFTER_SECONDS
        return RetryLater("ratelimited", retry_after=retry_after)
    if code in UNDELIVERABLE_ERRORS:
        return Undeliverable(code)
    if code in OWN_OUTPUT_ERRORS:
        return Rejected(code)
    return RetryLater(code)


class SlackSender:
    channel = "slack"

    def __init__(self, client: AsyncWebClient, chat: Chat, cards: Cards, registry: CardRegistry) -> None:
        self.client = client
        self.chat = chat
        self.cards = cards
        self.publisher = CardPublisher(registry, self.channel)

    async def send(self, message: Outbound) -> DeliveryResult:
        ts: str | None
        try:
            if message.as_plain_text:
                ts = await self._plain(message)
            elif message.kind == "ticket_card":
                return await self.publisher.publish(message, self)
            elif message.kind == "agent_alert":
                ts = await self._alert(message)
            elif message.kind == "supervisor_alert":
                ts = await self._direct(message)
            else:
                ts = await self.chat.post(
                    message.chat_id, [message.reply()], message.edit_message_id, message.parts_sent, message.parts_out
                )
        except SlackApiError as error:
            return result_of(error)
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return RetryLater(f"network: {type(error).__name__}: {error}")
        return Delivered(ts)

    async def _plain(self, message: Outbound) -> str | None:
        """The retry of a message Slack refused: its text only, as a new message where it was going."""
        text = self.chat.renderer.render(message.template, message.context, "plain")
        return await self.chat.post_plain(message.chat_id, text, message.parts_sent, message.parts_out)

    async def post(self, message: Outbound, posted: Posted) -> None:
        blocks, text = self.cards.card(AgentCardView.read(message.context))
        response = await self.client.chat_postMessage(channel=message.chat_id, blocks=blocks, text=text)
        await posted(Card(str(response.get("channel") or message.chat_id), str(response["ts"])))

    async def edit(self, card: Card, message: Outbound) -> bool:
        blocks, text = self.cards.card(AgentCardView.read(message.context))
        try:
            await self.client.chat_update(channel=card.chat_id, ts=card.message_id, blocks=blocks, text=text)
        except SlackApiError as error:
            if error.response.get("error") != "message_not_found":
                raise
            log.info("card of ticket %s was deleted; posting it again", message.ticket_id)
            return False
        return True

    async def thread(self, card: Card, message: Outbound) -> str | None:
        """Every change of the ticket is written to the card's thread."""
        blocks, text = self.cards.thread_entry(AgentCardView.read(message.context))
        response = await self.client.chat_postMessage(
            channel=card.chat_id, thread_ts=card.message_id, blocks=blocks, text=text
        )
        return str(response["ts"])

    async def _alert(self, message: Outbound) -> str:
        """Alerts go to the card's thread and are shown in the channel too, so they are seen in context."""
        blocks, text = self.cards.alert(message.template, AgentCardView.read(message.context))
        card = await self.publisher.card_of(message)
        if card is not None:
            response = await self.client.chat_postMessage(
                channel=card.chat_id, thread_ts=card.message_id, reply_broadcast=True, blocks=blocks, text=text
            )
        else:
            response = await self.client.chat_postMessage(channel=message.chat_id, blocks=blocks, text=text)
        return str(response["ts"])

    async def _direct(self, message: Outbound) -> str:
        """A supervisor's alert goes to their DM with the app (a user id as channel), redacted like any alert."""
        blocks, text = self.cards.alert(message.template, AgentCardView.read(message.context))
        response = await self.client.chat_postMessage(channel=message.chat_id, blocks=blocks, text=text)
        return str(response["ts"])
