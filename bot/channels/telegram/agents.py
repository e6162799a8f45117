"""The agents' group: ticket card buttons, ForceReply questions to agents, replies to users, and resolutions.

Callback data is `tk:<ticket id>:<action>[:<arg>...]`, and each kind of button has its own
`CallbackQueryHandler` route by pattern. Every route checks that the person is a configured agent;
the ticket service checks again and has the last word. What the bot waits for
(which prompt an answer belongs to, a resolution's draft) is in the database, not in memory.
The date from which an upheld user may appeal again is asked twice over: a ForceReply for the date
and, since a ForceReply carries no buttons, the question above it with "No waiting period"; each
row names the other as `linked`, so whichever is answered closes both.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import CallbackQuery, ForceReply, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ReplyLimit
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot.channels.telegram.card import PREFIX, Rows
from bot.channels.telegram.formatting import keyboard
from bot.channels.telegram.messages import Markup, Poster, Text, quietly
from bot.channels.telegram.stale import StaleButtons, answer_press
from bot.core.events import Button
from bot.core.prompts import PromptStore, Waiting
from bot.core.tickets.actors import Actor
from bot.core.tickets.decision import MIN_EXPLANATION, MIN_FACTS, check_explanation, check_facts
from bot.core.tickets.lifecycle import ENDINGS, OUTCOMES, REASON_CATEGORIES, Refused
from bot.desk import Desk
from bot.store.models import Ticket

TEXT_STEPS = ("request_info", "reply", "note", "answer", "explanation", "facts", "appeal_after")
STEP_OF_BUTTON = {"info": "request_info", "reply": "reply", "note": "note"}
REFUSAL = "telegram/agents/refusal.j2"


class Stale(Exception):
    """The button is not (or no longer) one that works: answered with the stale-button notice."""


@dataclass(frozen=True)
class Press:
    """A press on one of the agents' buttons, by an agent, on a ticket that exists."""

    actor: Actor
    ticket_id: int
    reference: str
    kind: str
    chat_id: str
    message_id: int
    args: dict[str, str]  # the route's named groups in the callback data


Act = Callable[[Press], Awaitable[str]]
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


class AgentsGroup:
    def __init__(self, desk: Desk, poster: Poster) -> None:
        self.desk = desk
        self.poster = poster
        self.prompts = PromptStore(desk.db, "telegram")
        self.agents = desk.settings.agents_for("telegram")
        self.stale = StaleButtons(desk.renderer)

    # ---- buttons on cards and on the bot's questions ---------------------------------------------------

    def routes(self) -> list[CallbackQueryHandler[ContextTypes.DEFAULT_TYPE, None]]:
        """One handler per button, by its callback data; a `tk:` button none of them takes is stale."""
        acts: tuple[tuple[str, Act], ...] = (
            ("(?P<action>claim|reopen)", self._claim_or_reopen),
            ("details", self._details),
            ("(?P<step>info|reply|note)", self._ask_step),
            ("resolve", self._resolve_button),
            ("o:(?P<outcome>[a-z-]+)", self._outcome),
            ("r:(?P<outcome>[a-z-]+):(?P<reason>[0-9]+)", self._reason),
            ("a:(?P<may>[yn])", self._appeal_again),
            ("w", self._no_waiting),
            ("x", self._cancel),
        )
        ticket = rf"^{PREFIX}:(?P<ticket>[0-9]+):"
        routes = [CallbackQueryHandler(self._route(act), pattern=f"{ticket}{tail}$") for tail, act in acts]
        return [*routes, CallbackQueryHandler(self.stale.on_callback, pattern=rf"^{PREFIX}:")]

    def _route(self, act: Act) -> Callback:
        """The PTB callback of one route: who pressed, on which ticket, then `act`; always answers the press."""

        async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            query = update.callback_query
            if query is None or context.match is None:
                return
            notice = ""
            try:
                notice = await act(await self._press(query, context.match.groupdict()))
            except Refused as refused:
                notice = self._notice(REFUSAL, {"code": refused.code, **refused.context})
            except Stale:
                notice = self.stale.notice()
            finally:
                await answer_press(query, notice)

        return callback

    async def _press(self, query: CallbackQuery, groups: dict[str, str]) -> Press:
        message = query.message if isinstance(query.message, Message) else None
        if message is None:
            raise Stale
        actor = self._actor(query.from_user)
        ticket_id = int(groups.pop("ticket"))
        reference, kind = await asyncio.to_thread(self._ticket, ticket_id)
        return Press(actor, ticket_id, reference, kind, str(message.chat.id), message.message_id, groups)

    # Each act returns a short notice for the agent, or '' when the chat shows what happened.

    async def _claim_or_reopen(self, press: Press) -> str:
        name = press.args["action"]
        act = self.desk.tickets.claim if name == "claim" else self.desk.tickets.reopen
        await asyncio.to_thread(act, press.reference, press.actor)
        context = {"action": name, "reference": press.reference, **_who(press.actor)}
        return self._notice("telegram/agents/done.j2", context)

    async def _details(self, press: Press) -> str:
        """Everything, personal data included, in the agent's private chat with the bot; the core logs it.

        The group never sees it. Telegram lets the bot write only to someone who has started it.
        """
        view = await asyncio.to_thread(self.desk.tickets.show, press.reference, press.actor)
        text = self.poster.render("agents/ticket_detail.j2", {"ticket": view})
        sent = await quietly(lambda: self.poster.send(press.actor.id, text))
        return self._notice("telegram/agents/details.j2", {"reference": press.reference, "sent": bool(sent)})

    async def _ask_step(self, press: Press) -> str:
        await self._ask_text(
            press.chat_id,
            press.ticket_id,
            press.reference,
            press.actor,
            STEP_OF_BUTTON[press.args["step"]],
            {},
            press.message_id,
        )
        return ""

    async def _resolve_button(self, press: Press) -> str:
        ending = ENDINGS[press.kind]
        if ending.answer_only:
            draft: dict[str, Any] = {"outcome": ending.outcomes[0], "reason": ending.default_reason}
            await self._ask_text(
                press.chat_id, press.ticket_id, press.reference, press.actor, "answer", draft, press.message_id
            )
            return ""
        rows: Rows = tuple(
            (Button(f"tg.outcome.{outcome}", f"{PREFIX}:{press.ticket_id}:o:{outcome}"),)
            for outcome in OUTCOMES[press.kind]
        )
        text = self._resolve_text("outcome", press.reference)
        markup = self._keyboard(rows, press.ticket_id)
        await quietly(lambda: self.poster.send(press.chat_id, text, markup, reply_to=press.message_id))
        return ""

    async def _outcome(self, press: Press) -> str:
        outcome = press.args["outcome"]
        if outcome not in OUTCOMES[press.kind]:
            raise Stale
        buttons = [
            Button("tg.reason", f"{PREFIX}:{press.ticket_id}:r:{outcome}:{index}", params={"reason": reason})
            for index, reason in enumerate(REASON_CATEGORIES)
        ]
        rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
        text = self._resolve_text("reason", press.reference, outcome=outcome)
        await self._edit(press.chat_id, press.message_id, text, self._keyboard(rows, press.ticket_id))
        return ""

    async def _reason(self, press: Press) -> str:
        if press.args["outcome"] not in OUTCOMES[press.kind]:
            raise Stale
        draft = {
            "outcome": press.args["outcome"],
            "reason": REASON_CATEGORIES[int(press.args["reason"]) % len(REASON_CATEGORIES)],
        }
        await self._edit(press.chat_id, press.message_id, self._resolve_text("chosen", press.reference, **draft), None)
        await self._ask_text(
            press.chat_id, press.ticket_id, press.reference, press.actor, "explanation", draft, press.message_id
        )
        return ""

    async def _appeal_again(self, press: Press) -> str:
        waiting = await self._waiting(press, "appeal_again")
        may = press.args["may"] == "y"
        draft = {**waiting.draft, "may_appeal_again": may}
        if may:
            await self._ask_appeal_after(
                press.chat_id, press.ticket_id, press.reference, press.actor, draft, press.message_id
            )
        else:
            await self._resolve_from_button(press.chat_id, press.message_id, press.reference, press.actor, draft)
        return ""

    async def _no_waiting(self, press: Press) -> str:
        waiting = await self._waiting(press, "appeal_after")
        await self._resolve_from_button(press.chat_id, press.message_id, press.reference, press.actor, waiting.draft)
        return ""

    async def _cancel(self, press: Press) -> str:
        waiting = await asyncio.to_thread(self.prompts.get, press.chat_id, press.message_id)
        await self._forget(press.chat_id, press.message_id, waiting.draft if waiting else {})
        await self._edit(press.chat_id, press.message_id, self._resolve_text("cancelled", press.reference), None)
        return ""

    async def _waiting(self, press: Press, step: str) -> Waiting:
        """What the pressed question was asked for; a question already answered is stale."""
        waiting = await asyncio.to_thread(self.prompts.get, press.chat_id, press.message_id)
        if waiting is None or waiting.step != step:
            raise Stale
        return waiting

    # ---- answers to the bot's ForceReply questions ---------------------------------------------------

    async def on_reply(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.reply_to_message is None or message.from_user is None:
            return
        chat_id, prompt_id = str(message.chat.id), message.reply_to_message.message_id
        waiting = await asyncio.to_thread(self.prompts.get, chat_id, prompt_id)
        if waiting is None or waiting.step not in TEXT_STEPS:
            return
        try:
            actor = self._actor(message.from_user)
            reference, _ = await asyncio.to_thread(self._ticket, waiting.ticket_id)
            answer = await self._answer(
                chat_id, waiting, reference, actor, message.text or message.caption or "", message.message_id
            )
            await asyncio.to_thread(self.prompts.done, chat_id, prompt_id)
        except Refused as refused:  # the prompt stays open: the agent can reply to it again
            answer = self.poster.render(REFUSAL, {"code": refused.code, **refused.context})
        if answer is not None:
            await quietly(lambda: self.poster.send(chat_id, answer, reply_to=message.message_id))

    async def _answer(
        self, chat_id: str, waiting: Waiting, reference: str, actor: Actor, text: str, answer_id: int
    ) -> Text | None:
        """Acts on an agent's answer; returns what to tell them, or None when the next question was asked."""
        draft = dict(waiting.draft)
        if waiting.step == "request_info":
            await asyncio.to_thread(self.desk.tickets.request_info, reference, actor, text)
        elif waiting.step == "reply":
            await asyncio.to_thread(self.desk.tickets.reply, reference, actor, text)
        elif waiting.step == "note":
            await asyncio.to_thread(self.desk.tickets.note, reference, actor, text)
        elif waiting.step == "appeal_after":
            view = await self._resolve(reference, actor, {**draft, "appeal_again_after": text})
            linked = int(draft["linked"])
            await asyncio.to_thread(self.prompts.done, chat_id, linked)
            await self._edit(chat_id, linked, self._resolve_text("appeal_again_yes", reference), None)
            return self._done_text(
                "resolve", reference, actor, {**draft, "appeal_again_after": view["appeal_again_after"]}
            )
        elif waiting.step == "answer":
            draft["explanation"] = text
            await self._resolve(reference, actor, draft)
            return self._done_text("resolve", reference, actor, draft)
        elif waiting.step == "explanation":
            check_explanation(text)
            draft["explanation"] = text
            await self._ask_text(chat_id, waiting.ticket_id, reference, actor, "facts", draft, answer_id)
            return None
        else:
            check_facts(text)
            draft["facts"] = text
            if draft["outcome"] == "upheld":
                await self._ask_appeal_again(chat_id, waiting.ticket_id, reference, draft, answer_id)
                return None
            await self._resolve(reference, actor, draft)
            return self._done_text("resolve", reference, actor, draft)
        return self._done_text(waiting.step, reference, actor, draft)

    async def _ask_text(
        self,
        chat_id: str,
        ticket_id: int,
        reference: str,
        actor: Actor,
        step: str,
        draft: dict[str, Any],
        reply_to: int,
    ) -> int | None:
        """Asks the agent for text with ForceReply, aimed at them alone, and remembers what it is for."""
        context = {
            "step": step,
            "reference": reference,
            "agent_id": actor.id,
            "agent_name": actor.name or actor.id,
            "minimum": MIN_EXPLANATION if step in ("answer", "explanation") else MIN_FACTS,
        }
        placeholder = self.desk.renderer.label_text(f"tg.placeholder.{step}")[: ReplyLimit.MAX_INPUT_FIELD_PLACEHOLDER]
        markup = ForceReply(selective=True, input_field_placeholder=placeholder)
        return await self._ask(
            chat_id, self.poster.render("telegram/agents/prompt.j2", context), markup, reply_to, ticket_id, step, draft
        )

    async def _ask_appeal_again(
        self, chat_id: str, ticket_id: int, reference: str, draft: dict[str, Any], reply_to: int
    ) -> None:
        rows = (
            (
                Button("tg.appeal_again.yes", f"{PREFIX}:{ticket_id}:a:y"),
                Button("tg.appeal_again.no", f"{PREFIX}:{ticket_id}:a:n"),
            ),
        )
        text = self._resolve_text("appeal_again", reference)
        await self._ask(chat_id, text, self._keyboard(rows, ticket_id), reply_to, ticket_id, "appeal_again", draft)

    async def _ask_appeal_after(
        self, chat_id: str, ticket_id: int, reference: str, actor: Actor, draft: dict[str, Any], question: int
    ) -> None:
        """Asks for the date by ForceReply, and turns the question into "No waiting period" and Cancel."""
        prompt = await self._ask_text(
            chat_id, ticket_id, reference, actor, "appeal_after", {**draft, "linked": question}, question
        )
        if prompt is None:
            return  # Telegram did not take the prompt; the question keeps its buttons for another try
        await asyncio.to_thread(
            self.prompts.save, chat_id, question, ticket_id, "appeal_after", {**draft, "linked": prompt}
        )
        rows = ((Button("tg.appeal_after.none", f"{PREFIX}:{ticket_id}:w"),),)
        text = self._resolve_text("appeal_after", reference)
        await self._edit(chat_id, question, text, self._keyboard(rows, ticket_id))

    async def _resolve_from_button(
        self, chat_id: str, pressed: int, reference: str, actor: Actor, draft: dict[str, Any]
    ) -> None:
        await self._resolve(reference, actor, draft)
        await self._forget(chat_id, pressed, draft)
        await self._edit(chat_id, pressed, self._done_text("resolve", reference, actor, draft), None)

    async def _forget(self, chat_id: str, message_id: int, draft: dict[str, Any]) -> None:
        """Stops waiting on a message, and on the one linked to it."""
        for waiting_on in (message_id, draft.get("linked")):
            if waiting_on is not None:
                await asyncio.to_thread(self.prompts.done, chat_id, int(waiting_on))

    async def _ask(
        self,
        chat_id: str,
        text: Text,
        markup: Markup | None,
        reply_to: int,
        ticket_id: int,
        step: str,
        draft: dict[str, Any],
    ) -> int | None:
        """Sends a question and remembers what it is for; returns its message id, or None if it was not sent."""
        sent = await quietly(lambda: self.poster.send(chat_id, text, markup, reply_to=reply_to))
        if not sent:
            return None
        await asyncio.to_thread(self.prompts.save, chat_id, sent[-1].message_id, ticket_id, step, draft)
        return sent[-1].message_id

    async def _resolve(self, reference: str, actor: Actor, draft: dict[str, Any]) -> dict[str, Any]:
        """Decides in the core, which reads the appeal-again date as typed; returns the ticket as decided."""
        return await asyncio.to_thread(
            self.desk.tickets.resolve,
            reference,
            actor,
            draft["outcome"],
            draft["reason"],
            draft["explanation"],
            draft.get("facts"),
            draft.get("may_appeal_again"),
            draft.get("appeal_again_after"),
        )

    # ---- helpers ------------------------------------------------------------------------------------

    def _actor(self, user: User) -> Actor:
        actor = Actor("telegram", str(user.id), user.full_name)
        if actor.id not in self.agents:
            raise Refused("not_agent", {"who": actor.name or actor.id})
        return actor

    def _ticket(self, ticket_id: int) -> tuple[str, str]:
        with self.desk.db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None or ticket.reference is None:
                raise Refused("no_such_ticket", {"reference": f"#{ticket_id}"})
            return ticket.reference, ticket.kind

    async def _edit(self, chat_id: str, message_id: int, text: Text, markup: InlineKeyboardMarkup | None) -> None:
        await quietly(lambda: self.poster.edit(chat_id, message_id, text, markup))

    def _keyboard(self, rows: Rows, ticket_id: int) -> InlineKeyboardMarkup | None:
        """The rows, and a way out of the resolution."""
        return keyboard(self.desk.renderer, (*rows, (Button("tg.cancel", f"{PREFIX}:{ticket_id}:x"),)))

    def _resolve_text(self, step: str, reference: str, **context: Any) -> Text:
        return self.poster.render("telegram/agents/resolve.j2", {"step": step, "reference": reference, **context})

    def _done_text(self, action: str, reference: str, actor: Actor, draft: dict[str, Any]) -> Text:
        return self.poster.render(
            "telegram/agents/done.j2", {"action": action, "reference": reference, **_who(actor), **draft}
        )

    def _notice(self, template: str, context: dict[str, Any]) -> str:
        return self.desk.renderer.render(template, context, "plain")


def _who(actor: Actor) -> dict[str, str]:
    return {"agent_name": actor.name or actor.id}
