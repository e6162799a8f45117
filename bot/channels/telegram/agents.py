"""The agents' group: ticket card buttons, ForceReply questions to agents, and the resolution steps.

Callback data is `tk:<ticket id>:<action>[:<arg>...]`. Every step checks that the person is a
configured agent; the ticket service checks again and has the last word.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import CallbackQuery, ForceReply, InlineKeyboardMarkup, Message, Update, User
from telegram.ext import ContextTypes

from bot.channels.telegram.formatting import keyboard
from bot.channels.telegram.messages import Poster, persistently
from bot.channels.telegram.prompts import PromptStore, Waiting
from bot.core.desk import Desk
from bot.core.events import Button
from bot.core.tickets.actors import Actor
from bot.core.tickets.lifecycle import OUTCOMES, REASON_CATEGORIES, Refused
from bot.core.tickets.service import MIN_EXPLANATION, MIN_FACTS
from bot.store.models import Ticket

PREFIX = "tk"
CALLBACK_NOTICE_LIMIT = 200
TEXT_STEPS = ("request_info", "note", "explanation", "facts")


def card_buttons(ticket_id: int, status: str) -> tuple[tuple[Button, ...], ...]:
    """What an agent can do from a ticket's card; a resolved ticket only takes notes."""
    if status == "resolved":
        return ((Button("tg.card.note", f"{PREFIX}:{ticket_id}:note"),),)
    return (
        (Button("tg.card.claim", f"{PREFIX}:{ticket_id}:claim"), Button("tg.card.request_info", f"{PREFIX}:{ticket_id}:info")),
        (Button("tg.card.note", f"{PREFIX}:{ticket_id}:note"), Button("tg.card.resolve", f"{PREFIX}:{ticket_id}:resolve")),
    )


class AgentsGroup:
    def __init__(self, desk: Desk, poster: Poster) -> None:
        self.desk = desk
        self.poster = poster
        self.prompts = PromptStore(desk.db)
        self.agents = desk.settings.agents_for("telegram")

    # ---- buttons ------------------------------------------------------------------------------------

    async def on_callback(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        notice = ""
        try:
            notice = await self._press(query)
        except Refused as refused:
            notice = self._refusal(refused, "plain")
        finally:
            await persistently(lambda: query.answer(notice[:CALLBACK_NOTICE_LIMIT] or None, show_alert=bool(notice)))

    async def _press(self, query: CallbackQuery) -> str:
        _, ticket_part, *action = (query.data or "").split(":")
        message = query.message if isinstance(query.message, Message) else None
        if not ticket_part.isdigit() or not action or message is None:
            return self.desk.renderer.render("errors/stale_button.j2", {}, "plain")
        actor = self._actor(query.from_user)
        ticket = await asyncio.to_thread(self._ticket, int(ticket_part))
        reference, kind = ticket
        chat_id = str(message.chat.id)
        name, *args = action
        if name == "claim":
            await asyncio.to_thread(self.desk.tickets.claim, reference, actor)
            return self._done("claim", reference, actor)
        if name in ("info", "note"):
            step = "request_info" if name == "info" else "note"
            await self._ask_text(chat_id, int(ticket_part), reference, actor, step, {}, message.message_id)
            return ""
        if name == "resolve":
            buttons = tuple(
                (Button(f"tg.outcome.{outcome}", f"{PREFIX}:{ticket_part}:o:{outcome}"),) for outcome in OUTCOMES[kind]
            )
            text = self.poster.render("telegram/agents/resolve.j2", {"step": "outcome", "reference": reference})
            markup = self._keyboard((*buttons, self._cancel(ticket_part)))
            await persistently(lambda: self.poster.send(chat_id, text, markup, reply_to=message.message_id))
            return ""
        if name == "o" and args and args[0] in OUTCOMES[kind]:
            await self._choose_reason(chat_id, message, ticket_part, reference, args[0])
            return ""
        if name == "r" and len(args) == 2 and args[0] in OUTCOMES[kind] and args[1].isdigit():
            reason = REASON_CATEGORIES[int(args[1]) % len(REASON_CATEGORIES)]
            context = {"step": "chosen", "reference": reference, "outcome": args[0], "reason": reason}
            await self.poster.edit(chat_id, message.message_id, self.poster.render("telegram/agents/resolve.j2", context), None)
            draft = {"outcome": args[0], "reason": reason}
            await self._ask_text(chat_id, int(ticket_part), reference, actor, "explanation", draft, message.message_id)
            return ""
        if name == "a" and args and args[0] in ("y", "n"):
            return await self._appeal_again(chat_id, message, reference, actor, args[0] == "y")
        if name == "x":
            context = {"step": "cancelled", "reference": reference}
            await self.poster.edit(chat_id, message.message_id, self.poster.render("telegram/agents/resolve.j2", context), None)
            await asyncio.to_thread(self.prompts.done, chat_id, message.message_id)
            return ""
        return self.desk.renderer.render("errors/stale_button.j2", {}, "plain")

    async def _choose_reason(self, chat_id: str, message: Message, ticket_part: str, reference: str, outcome: str) -> None:
        buttons = [
            Button("tg.reason", f"{PREFIX}:{ticket_part}:r:{outcome}:{index}", params={"reason": reason})
            for index, reason in enumerate(REASON_CATEGORIES)
        ]
        rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
        context = {"step": "reason", "reference": reference, "outcome": outcome}
        text = self.poster.render("telegram/agents/resolve.j2", context)
        await self.poster.edit(chat_id, message.message_id, text, self._keyboard((*rows, self._cancel(ticket_part))))

    async def _appeal_again(self, chat_id: str, message: Message, reference: str, actor: Actor, may: bool) -> str:
        waiting = await asyncio.to_thread(self.prompts.get, chat_id, message.message_id)
        if waiting is None or waiting.step != "appeal_again":
            return self.desk.renderer.render("errors/stale_button.j2", {}, "plain")
        await self._resolve(chat_id, message.message_id, reference, actor, {**waiting.draft, "may_appeal_again": may})
        await self.poster.edit(chat_id, message.message_id, self._done_text("resolve", reference, actor, waiting.draft), None)
        return ""

    # ---- answers to ForceReply prompts -----------------------------------------------------------

    async def on_reply(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.reply_to_message is None or message.from_user is None:
            return
        chat_id = str(message.chat.id)
        prompt_id = message.reply_to_message.message_id
        waiting = await asyncio.to_thread(self.prompts.get, chat_id, prompt_id)
        if waiting is None or waiting.step not in TEXT_STEPS:
            return
        actor = self._actor(message.from_user)
        text = message.text or message.caption or ""
        try:
            reference, _ = await asyncio.to_thread(self._ticket, waiting.ticket_id)
            reply = await self._answer(chat_id, prompt_id, waiting, reference, actor, text, message.message_id)
        except Refused as refused:
            reply = self._refusal(refused, "telegram_html")
        if reply:
            await persistently(lambda: self.poster.send(chat_id, self._html(reply), reply_to=message.message_id))

    async def _answer(
        self, chat_id: str, prompt_id: int, waiting: Waiting, reference: str, actor: Actor, text: str, answer_id: int
    ) -> str:
        """Acts on an agent's answer; returns what to tell them (HTML), or '' when the next question is asked."""
        draft = waiting.draft
        if waiting.step == "request_info":
            await asyncio.to_thread(self.desk.tickets.request_info, reference, actor, text)
        elif waiting.step == "note":
            await asyncio.to_thread(self.desk.tickets.note, reference, actor, text)
        elif waiting.step == "explanation":
            if len(text.strip()) < MIN_EXPLANATION:
                raise Refused("explanation_missing", {"minimum": MIN_EXPLANATION})
            await self._ask_text(
                chat_id, waiting.ticket_id, reference, actor, "facts", {**draft, "explanation": text}, answer_id
            )
        elif len(text.strip()) < MIN_FACTS:
            raise Refused("facts_missing", {"minimum": MIN_FACTS})
        elif draft["outcome"] == "upheld":
            await self._ask_appeal_again(chat_id, waiting.ticket_id, reference, {**draft, "facts": text}, answer_id)
        else:
            await self._resolve(chat_id, prompt_id, reference, actor, {**draft, "facts": text})
        await asyncio.to_thread(self.prompts.done, chat_id, prompt_id)
        if waiting.step in ("explanation", "facts") and not (waiting.step == "facts" and draft["outcome"] != "upheld"):
            return ""
        return self._done_text(waiting.step if waiting.step != "facts" else "resolve", reference, actor, draft)

    async def _ask_text(
        self, chat_id: str, ticket_id: int, reference: str, actor: Actor, step: str, draft: dict[str, Any], reply_to: int
    ) -> None:
        """Asks one agent for text with ForceReply, and remembers what the answer will be for."""
        self._require_agent(actor)
        context = {
            "step": step,
            "reference": reference,
            "agent_id": actor.id,
            "agent_name": actor.name or actor.id,
            "minimum": MIN_EXPLANATION if step == "explanation" else MIN_FACTS,
        }
        placeholder = self.desk.renderer.label_text(f"tg.placeholder.{step}")
        markup = ForceReply(selective=True, input_field_placeholder=placeholder[:64])
        text = self.poster.render("telegram/agents/prompt.j2", context)
        sent = await persistently(lambda: self.poster.send(chat_id, text, markup, reply_to=reply_to))
        if sent:
            await asyncio.to_thread(self.prompts.save, chat_id, sent[-1].message_id, ticket_id, step, draft)

    async def _ask_appeal_again(
        self, chat_id: str, ticket_id: int, reference: str, draft: dict[str, Any], reply_to: int
    ) -> None:
        rows = (
            (
                Button("tg.appeal_again.yes", f"{PREFIX}:{ticket_id}:a:y"),
                Button("tg.appeal_again.no", f"{PREFIX}:{ticket_id}:a:n"),
            ),
            self._cancel(str(ticket_id)),
        )
        text = self.poster.render("telegram/agents/resolve.j2", {"step": "appeal_again", "reference": reference})
        sent = await persistently(lambda: self.poster.send(chat_id, text, self._keyboard(rows), reply_to=reply_to))
        if sent:
            await asyncio.to_thread(self.prompts.save, chat_id, sent[-1].message_id, ticket_id, "appeal_again", draft)

    async def _resolve(self, chat_id: str, prompt_id: int, reference: str, actor: Actor, draft: dict[str, Any]) -> None:
        await asyncio.to_thread(
            self.desk.tickets.resolve,
            reference,
            actor,
            draft["outcome"],
            draft["reason"],
            draft["explanation"],
            draft["facts"],
            draft.get("may_appeal_again"),
        )
        await asyncio.to_thread(self.prompts.done, chat_id, prompt_id)

    # ---- helpers ------------------------------------------------------------------------------------

    def _actor(self, user: User) -> Actor:
        actor = Actor("telegram", str(user.id), user.full_name)
        self._require_agent(actor)
        return actor

    def _require_agent(self, actor: Actor) -> None:
        if actor.id not in self.agents:
            raise Refused("not_agent", {"who": actor.name or actor.id})

    def _ticket(self, ticket_id: int) -> tuple[str, str]:
        with self.desk.db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None or ticket.reference is None:
                raise Refused("no_such_ticket", {"reference": f"#{ticket_id}"})
            return ticket.reference, ticket.kind

    def _refusal(self, refused: Refused, fmt: str) -> str:
        return self.desk.renderer.render("agents/refusal.j2", {"code": refused.code, **refused.context}, fmt)

    def _done(self, action: str, reference: str, actor: Actor) -> str:
        context = {"action": action, "reference": reference, "agent_name": actor.name or actor.id}
        return self.desk.renderer.render("telegram/agents/done.j2", context, "plain")

    def _done_text(self, action: str, reference: str, actor: Actor, draft: dict[str, Any]) -> str:
        context = {"action": action, "reference": reference, "agent_name": actor.name or actor.id, **draft}
        return self.desk.renderer.render("telegram/agents/done.j2", context, "telegram_html")

    def _html(self, html: str) -> Any:
        return self.poster.text_of(html)

    def _keyboard(self, rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
        return keyboard(self.desk.renderer, rows)

    @staticmethod
    def _cancel(ticket_part: str) -> tuple[Button, ...]:
        return (Button("tg.cancel", f"{PREFIX}:{ticket_part}:x"),)
