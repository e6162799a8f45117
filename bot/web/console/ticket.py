"""A ticket's page: evidence, checklist, conversation and history, and a form for each action the core allows.

The page opens with personal data hidden, as a card shows it, and is not logged; a file's preview
(`?preview=ID`, images and PDFs) is shown only when asked for, since each one is logged (files.py); "Show personal
data" is a form, and each reveal is a `viewed` event in the audit trail. Every action form carries
the ticket's version, so a form from a page that another agent's change has overtaken is refused
(core/tickets/freshness.py) instead of applied blindly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.core.accounts import Role
from bot.core.tickets.actions import AgentAction, TicketState, available_actions
from bot.core.tickets.actors import Actor
from bot.core.tickets.freshness import require_fresh, version
from bot.core.tickets.lifecycle import ENDINGS, REASON_CATEGORIES, Refused
from bot.core.tickets.service import TicketService
from bot.web.console.auth import SignedIn, requires
from bot.web.console.files import previewable
from bot.web.console.pages import desk_of, refusal_text, render

Change = Callable[[TicketService, str, Actor, FormData], Any]


def _text(form: FormData, name: str) -> str:
    return str(form.get(name, "")).strip()


def _may_appeal_again(form: FormData) -> bool | None:
    return {"yes": True, "no": False}.get(_text(form, "may_appeal_again"))


# Each action's form, by the path it is sent to; the ticket service checks and applies it.
CHANGES: dict[AgentAction, Change] = {
    AgentAction.CLAIM: lambda tickets, ref, actor, form: tickets.claim(ref, actor),
    AgentAction.REQUEST_INFO: lambda tickets, ref, actor, form: tickets.request_info(ref, actor, _text(form, "message")),
    AgentAction.REPLY: lambda tickets, ref, actor, form: tickets.reply(ref, actor, _text(form, "message")),
    AgentAction.NOTE: lambda tickets, ref, actor, form: tickets.note(ref, actor, _text(form, "text")),
    AgentAction.RESOLVE: lambda tickets, ref, actor, form: tickets.resolve(
        ref,
        actor,
        _text(form, "outcome"),
        _text(form, "reason") or None,
        _text(form, "message"),
        _text(form, "facts") or None,
        _may_appeal_again(form),
        _text(form, "appeal_again_after") or None,
        _text(form, "note") or None,
    ),
    AgentAction.REOPEN: lambda tickets, ref, actor, form: tickets.reopen(ref, actor, _text(form, "message") or None),
    AgentAction.REASSIGN: lambda tickets, ref, actor, form: tickets.reassign(ref, actor, _text(form, "holder")),
}


async def _page(
    request: Request,
    view: dict[str, Any],
    revealed: bool = False,
    refused: str | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    user: SignedIn = request.user
    state = TicketState(str(view["status"]), view.get("assignee"))
    offers = [offer.action for offer in available_actions(state, user.actor)]
    context = {
        "ticket": view,
        "revealed": revealed,
        "refused": refused,
        "typed": typed or {},
        "version": version(view["events"]),
        "offers": [action for action in offers if action in CHANGES],
        "may_reveal": AgentAction.DETAILS in offers,
        "outcomes": ENDINGS[view["kind"]].outcomes,
        "needs_facts": ENDINGS[view["kind"]].needs_facts,
        "reasons": REASON_CATEGORIES,
        "done": request.query_params.get("done", ""),
        "public": [event for event in view["events"] if event["public_message"]],
        "internal": [event for event in view["events"] if event["internal_note"]],
        "label": desk_of(request).renderer.label_text,
        "platform": desk_of(request).settings.platform_name,
        "holders": await run_in_threadpool(desk_of(request).accounts.holders) if AgentAction.REASSIGN in offers else [],
        "previewable": previewable,
        "preview": request.query_params.get("preview", ""),
    }
    return render(request, "ticket.html", context, status_code=status_code)


async def _glance(request: Request, reference: str) -> dict[str, Any]:
    desk = desk_of(request)
    user: SignedIn = request.user
    try:
        view: dict[str, Any] = await run_in_threadpool(
            desk.tickets.glance, reference, user.actor, desk.hidden("console")
        )
    except Refused as refused:
        raise HTTPException(404, refusal_text(request, refused)) from refused
    return view


@requires(Role.AGENT)
async def ticket(request: Request) -> Response:
    return await _page(request, await _glance(request, request.path_params["reference"]))


@requires(Role.AGENT)
async def reveal(request: Request) -> Response:
    """Personal data shown, and the view logged under the agent's name."""
    user: SignedIn = request.user
    try:
        view = await run_in_threadpool(desk_of(request).tickets.show, request.path_params["reference"], user.actor)
    except Refused as refused:
        raise HTTPException(404, refusal_text(request, refused)) from refused
    return await _page(request, view, revealed=True)


@requires(Role.AGENT)
async def act(request: Request) -> Response:
    reference = request.path_params["reference"]
    try:
        action = AgentAction(request.path_params["action"])
        change = CHANGES[action]
    except (ValueError, KeyError) as unknown:
        raise HTTPException(404) from unknown
    form = await request.form()
    typed = {key: str(value) for key, value in form.items() if key != "csrftoken"}
    user: SignedIn = request.user
    tickets = desk_of(request).tickets
    view = await _glance(request, reference)
    try:
        require_fresh(view, _text(form, "version"))
        await run_in_threadpool(change, tickets, reference, user.actor, form)
    except Refused as refused:
        status = 409 if refused.code == "stale" else 400
        return await _page(request, view, refused=refusal_text(request, refused), typed=typed, status_code=status)
    path = request.url_for("ticket", reference=view["reference"]).path
    return RedirectResponse(f"{path}?done={action.value}", status_code=303)


ROUTES = [
    Route("/tickets/{reference:str}", ticket, name="ticket"),
    Route("/tickets/{reference:str}/reveal", reveal, methods=["POST"], name="ticket_reveal"),
    Route("/tickets/{reference:str}/{action:str}", act, methods=["POST"], name="ticket_act"),
]
