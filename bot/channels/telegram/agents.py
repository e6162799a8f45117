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
from dataclasses import dataclass, replace
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
from bot.core.tickets.actions import AgentAction, TicketState, permit
from bot.core.tickets.actors import Actor
from bot.core.tickets.decision import MIN_EXPLANATION, MIN_FACTS
from bot.core.tickets.lifecycle import Refused, category_label
from bot.core.tickets.resolution import CHOICES, NO_WAITING_PERIOD, ResolutionDraft, Step
from bot.desk import Desk
from bot.store.models import Ticket

STEP_OF_BUTTON = {"info": "request_info", "reply": "reply", "note": "note"}
REOPEN = "reopen"  # the message for the user that a reopened ticket's news carries (optional)
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
            ("claim", self._claim),
            ("reopen", self._ask_reopen),
            ("rw", self._reopen_without_message),
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

    async def _claim(self, press: Press) -> str:
        await asyncio.to_thread(self.desk.tickets.claim, press.reference, press.actor)
        return self._notice(
            "telegram/agents/done.j2", {"action": "claim", "reference": press.reference, **_who(press.actor)}
        )

    async def _ask_reopen(self, press: Press) -> str:
        """Asks for a message for the user by ForceReply, above it "Reopen without a message" and Cancel.

        As Slack's modal and the command line, the message goes with the news that the ticket is open again.
        """
        permit(
            TicketState(*await asyncio.to_thread(self._state, press.ticket_id)),
            press.reference,
            press.actor,
            AgentAction.REOPEN,
        )
        rows = ((Button("tg.reopen.plain", f"{PREFIX}:{press.ticket_id}:rw"),),)
        text = self._resolve_text("reopen", press.reference)
        question = await self._ask(
            press.chat_id,
            text,
            self._keyboard(rows, press.ticket_id),
            press.message_id,
            Waiting(press.ticket_id, REOPEN),
        )
        if question is None:
            return ""
        asked = Waiting(press.ticket_id, REOPEN, linked=question)
        prompt = await self._ask_text(press.chat_id, press.reference, press.actor, asked, question)
        if prompt is not None:
            await asyncio.to_thread(self.prompts.save, press.chat_id, question, replace(asked, linked=prompt))
        return ""

    async def _reopen_without_message(self, press: Press) -> str:
        waiting = await asyncio.to_thread(self.prompts.get, press.chat_id, press.message_id)
        if waiting is None or waiting.step != REOPEN:
            raise Stale
        await asyncio.to_thread(self.desk.tickets.reopen, press.reference, press.actor)
        await self._forget(press.chat_id, press.message_id, waiting.linked)
        await self._edit(press.chat_id, press.message_id, self._done_text(REOPEN, press.reference, press.actor), None)
        return self._notice(
            "telegram/agents/done.j2", {"action": REOPEN, "reference": press.reference, **_who(press.actor)}
        )

    async def _details(self, press: Press) -> str:
        """Everything, personal data included, in the agent's private chat with the bot; the core logs it.

        The group never sees it. Telegram lets the bot write only to someone who has started it.
        """
        view = await asyncio.to_thread(self.desk.tickets.show, press.reference, press.actor)
        text = self.poster.render("agents/ticket_detail.j2", {"ticket": view})
        sent = await quietly(lambda: self.poster.send(press.actor.id, text))
        return self._notice("telegram/agents/details.j2", {"reference": press.reference, "sent": bool(sent)})

    async def _ask_step(self, press: Press) -> str:
        waiting = Waiting(press.ticket_id, STEP_OF_BUTTON[press.args["step"]])
        await self._ask_text(press.chat_id, press.reference, press.actor, waiting, press.message_id)
        return ""

    async def _resolve_button(self, press: Press) -> str:
        draft = ResolutionDraft.start(press.kind)
        await self._next(press.chat_id, press.ticket_id, press.reference, press.actor, draft, press.message_id)
        return ""

    async def _outcome(self, press: Press) -> str:
        draft = self._chosen(ResolutionDraft.start(press.kind), Step.OUTCOME, press.args["outcome"])
        buttons = [
            Button(category_label(reason), f"{PREFIX}:{press.ticket_id}:r:{draft.outcome}:{index}")
            for index, reason in enumerate(draft.choices(Step.REASON))
        ]
        rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
        text = self._resolve_text("reason", press.reference, outcome=draft.outcome)
        await self._edit(press.chat_id, press.message_id, text, self._keyboard(rows, press.ticket_id))
        return ""

    async def _reason(self, press: Press) -> str:
        draft = self._chosen(ResolutionDraft.start(press.kind), Step.OUTCOME, press.args["outcome"])
        reasons = draft.choices(Step.REASON)
        draft = draft.answer(Step.REASON, reasons[int(press.args["reason"]) % len(reasons)])
        text = self._resolve_text("chosen", press.reference, outcome=draft.outcome, reason=draft.reason)
        await self._edit(press.chat_id, press.message_id, text, None)
        await self._next(press.chat_id, press.ticket_id, press.reference, press.actor, draft, press.message_id)
        return ""

    async def _appeal_again(self, press: Press) -> str:
        waiting, draft = await self._waiting(press, Step.APPEAL_AGAIN)
        draft = draft.answer(Step.APPEAL_AGAIN, press.args["may"] == "y")
        if draft.next_step is Step.APPEAL_AFTER:
            await self._ask_appeal_after(press, draft)
        else:
            await self._resolve_from_button(press, draft, waiting.linked)
        return ""

    async def _no_waiting(self, press: Press) -> str:
        waiting, draft = await self._waiting(press, Step.APPEAL_AFTER)
        await self._resolve_from_button(press, draft.answer(Step.APPEAL_AFTER, NO_WAITING_PERIOD), waiting.linked)
        return ""

    async def _cancel(self, press: Press) -> str:
        waiting = await asyncio.to_thread(self.prompts.get, press.chat_id, press.message_id)
        await self._forget(press.chat_id, press.message_id, waiting.linked if waiting else None)
        cancelled = "reopen_cancelled" if waiting and waiting.step == REOPEN else "cancelled"
        await self._edit(press.chat_id, press.message_id, self._resolve_text(cancelled, press.reference), None)
        return ""

    async def _waiting(self, press: Press, step: Step) -> tuple[Waiting, ResolutionDraft]:
        """The decision the pressed question was asked for; a question already answered is stale."""
        waiting = await asyncio.to_thread(self.prompts.get, press.chat_id, press.message_id)
        if waiting is None or waiting.draft is None or waiting.draft.next_step is not step:
            raise Stale
        return waiting, waiting.draft

    @staticmethod
    def _chosen(draft: ResolutionDraft, step: Step, value: str) -> ResolutionDraft:
        """A choice carried by a button's data; one the draft does not offer was never ours."""
        if value not in draft.choices(step):
            raise Stale
        return draft.answer(step, value)

    # ---- answers to the bot's ForceReply questions ---------------------------------------------------

    async def on_reply(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.reply_to_message is None or message.from_user is None:
            return
        chat_id, prompt_id = str(message.chat.id), message.reply_to_message.message_id
        waiting = await asyncio.to_thread(self.prompts.get, chat_id, prompt_id)
        if waiting is None or not _asks_text(waiting):
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
        if waiting.draft is None:
            acts = {
                "request_info": self.desk.tickets.request_info,
                "reply": self.desk.tickets.reply,
                "note": self.desk.tickets.note,
                REOPEN: self.desk.tickets.reopen,
            }
            await asyncio.to_thread(acts[waiting.step], reference, actor, text)
            done: Text | None = self._done_text(waiting.step, reference, actor)
            closed = done
        else:
            step = waiting.draft.next_step
            assert step is not None  # a complete draft is decided, never kept
            draft = waiting.draft.answer(step, text)
            done = await self._next(chat_id, waiting.ticket_id, reference, actor, draft, answer_id)
            closed = self._resolve_text("appeal_again_yes", reference)
        if waiting.linked is not None and closed is not None:  # typed: the question with buttons is answered too
            await asyncio.to_thread(self.prompts.done, chat_id, waiting.linked)
            await self._edit(chat_id, waiting.linked, closed, None)
        return done

    async def _next(
        self, chat_id: str, ticket_id: int, reference: str, actor: Actor, draft: ResolutionDraft, reply_to: int
    ) -> Text | None:
        """Asks the step the core says comes next, in reply to `reply_to`; decides once none is left.

        Returns what to tell the agent when the ticket was decided, None when a question was asked.
        """
        step = draft.next_step
        if step is None:
            return self._decided(reference, actor, await self._decide(reference, actor, draft))
        if step is Step.OUTCOME:
            rows: Rows = tuple(
                (Button(f"tg.outcome.{outcome}", f"{PREFIX}:{ticket_id}:o:{outcome}"),)
                for outcome in draft.choices(step)
            )
            text = self._resolve_text("outcome", reference)
            markup = self._keyboard(rows, ticket_id)
            await quietly(lambda: self.poster.send(chat_id, text, markup, reply_to=reply_to))
        elif step is Step.APPEAL_AGAIN:
            rows = (
                (
                    Button("tg.appeal_again.yes", f"{PREFIX}:{ticket_id}:a:y"),
                    Button("tg.appeal_again.no", f"{PREFIX}:{ticket_id}:a:n"),
                ),
            )
            text = self._resolve_text("appeal_again", reference)
            await self._ask(chat_id, text, self._keyboard(rows, ticket_id), reply_to, Waiting(ticket_id, step, draft))
        else:
            await self._ask_text(chat_id, reference, actor, Waiting(ticket_id, step, draft), reply_to)
        return None

    async def _ask_text(
        self, chat_id: str, reference: str, actor: Actor, waiting: Waiting, reply_to: int
    ) -> int | None:
        """Asks the agent for text with ForceReply, aimed at them alone, and remembers what it is for."""
        wording = "answer" if waiting.draft and waiting.draft.answer_only else waiting.step
        context = {
            "step": wording,
            "reference": reference,
            "agent_id": actor.id,
            "agent_name": actor.name or actor.id,
            "minimum": MIN_EXPLANATION if wording in ("answer", "explanation") else MIN_FACTS,
        }
        placeholder = self.desk.renderer.label_text(f"tg.placeholder.{wording}")[
            : ReplyLimit.MAX_INPUT_FIELD_PLACEHOLDER
        ]
        markup = ForceReply(selective=True, input_field_placeholder=placeholder)
        return await self._ask(
            chat_id, self.poster.render("telegram/agents/prompt.j2", context), markup, reply_to, waiting
        )

    async def _ask_appeal_after(self, press: Press, draft: ResolutionDraft) -> None:
        """Asks for the date by ForceReply, and turns the question into "No waiting period" and Cancel."""
        question = press.message_id
        asked = Waiting(press.ticket_id, Step.APPEAL_AFTER, draft, linked=question)
        prompt = await self._ask_text(press.chat_id, press.reference, press.actor, asked, question)
        if prompt is None:
            return  # Telegram did not take the prompt; the question keeps its buttons for another try
        await asyncio.to_thread(self.prompts.save, press.chat_id, question, replace(asked, linked=prompt))
        rows = ((Button("tg.appeal_after.none", f"{PREFIX}:{press.ticket_id}:w"),),)
        text = self._resolve_text("appeal_after", press.reference)
        await self._edit(press.chat_id, question, text, self._keyboard(rows, press.ticket_id))

    async def _resolve_from_button(self, press: Press, draft: ResolutionDraft, linked: int | None) -> None:
        view = await self._decide(press.reference, press.actor, draft)
        await self._forget(press.chat_id, press.message_id, linked)
        await self._edit(press.chat_id, press.message_id, self._decided(press.reference, press.actor, view), None)

    async def _forget(self, chat_id: str, message_id: int, linked: int | None) -> None:
        """Stops waiting on a message, and on the one linked to it."""
        for waiting_on in (message_id, linked):
            if waiting_on is not None:
                await asyncio.to_thread(self.prompts.done, chat_id, waiting_on)

    async def _ask(
        self, chat_id: str, text: Text, markup: Markup | None, reply_to: int, waiting: Waiting
    ) -> int | None:
        """Sends a question and remembers what it is for; returns its message id, or None if it was not sent."""
        sent = await quietly(lambda: self.poster.send(chat_id, text, markup, reply_to=reply_to))
        if not sent:
            return None
        await asyncio.to_thread(self.prompts.save, chat_id, sent[-1].message_id, waiting)
        return sent[-1].message_id

    async def _decide(self, reference: str, actor: Actor, draft: ResolutionDraft) -> dict[str, Any]:
        """Decides in the core, which reads the appeal-again date as typed; returns the ticket as decided."""
        return await asyncio.to_thread(self.desk.tickets.decide, reference, actor, draft)

    # ---- helpers ------------------------------------------------------------------------------------

    def _actor(self, user: User) -> Actor:
        actor = Actor("telegram", str(user.id), user.full_name)
        if actor.id not in self.agents:
            raise Refused("not_agent", {"who": actor.name or actor.id})
        return actor

    def _state(self, ticket_id: int) -> tuple[str, str | None]:
        with self.desk.db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            return (ticket.status, ticket.assignee) if ticket else ("", None)

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

    def _done_text(self, action: str, reference: str, actor: Actor, **context: Any) -> Text:
        return self.poster.render(
            "telegram/agents/done.j2", {"action": action, "reference": reference, **_who(actor), **context}
        )

    def _decided(self, reference: str, actor: Actor, view: dict[str, Any]) -> Text:
        """What the agent is told of the decision, as the core recorded it."""
        decided = {key: view[key] for key in ("outcome", "may_appeal_again", "appeal_again_after")}
        return self._done_text("resolve", reference, actor, reason=view["reason_category"], **decided)

    def _notice(self, template: str, context: dict[str, Any]) -> str:
        return self.desk.renderer.render(template, context, "plain")


def _asks_text(waiting: Waiting) -> bool:
    """Whether the message waits for a typed answer (a decision's next step may be a choice of buttons)."""
    if waiting.draft is None:
        return waiting.step in (*STEP_OF_BUTTON.values(), REOPEN)
    return waiting.draft.next_step not in (None, *CHOICES)


def _who(actor: Actor) -> dict[str, str]:
    return {"agent_name": actor.name or actor.id}
