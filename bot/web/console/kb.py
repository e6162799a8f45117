"""The knowledge-base editor (admins): the entries, each one's text with `kb check`'s problems beside its lines.

Every rule is the library's: validation (`KnowledgeLibrary.validate`, the checks of `kb check` over the
whole base), saving, creating and retiring as revisions under the admin's name, and refusing a save from
a page that another save has overtaken (`StaleEdit`), as a ticket page's stale forms are refused.
Workers pick a saved revision up as they pick up every revision.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.core.accounts import Role
from bot.core.knowledge.catalogue import catalogue
from bot.core.knowledge.entry import SLUG, read_entry
from bot.core.knowledge.explain import explain_question
from bot.core.knowledge.library import StaleEdit, is_retired
from bot.core.knowledge.problems import EntryError, Problem
from bot.desk import Desk
from bot.store.models import KbRevision
from bot.web.console.auth import SignedIn, requires
from bot.web.console.pages import desk_of, render

MAX_TEXT_CHARS = 20_000  # a form field, not a file upload: ten times the longest entry
MAX_QUESTION_CHARS = 2000  # what the conversation keeps of a question
TOP = 5  # matches shown, as `/kb test` shows them
NEW = "new"  # the new-entry page's address, so never an entry's id
# What a new entry starts from: every required field, in the order of the shipped entries.
SKELETON = """---
id: {entry_id}
title:
category:
keywords: []
questions: []
related: []
can_lead_to_suspension: false
last_reviewed: {today}
---
## Answer


## Internal notes

"""


@dataclass(frozen=True)
class Line:
    """One line of the text being edited, with the problems that point at it."""

    number: int
    text: str
    problems: list[str]


def annotated(text: str, problems: list[Problem]) -> tuple[list[str], list[Line]]:
    """The problems of the whole entry (line 0), and every line with its own; a line past the end is the last."""
    lines = text.split("\n")
    by_line: dict[int, list[str]] = {}
    whole: list[str] = []
    for problem in problems:
        if problem.line < 1:
            whole.append(problem.message)
        else:
            by_line.setdefault(min(problem.line, len(lines)), []).append(problem.message)
    return whole, [Line(number, line, by_line.get(number, [])) for number, line in enumerate(lines, start=1)]


@requires(Role.ADMIN)
async def entries(request: Request) -> Response:
    search = request.query_params.get("q", "").strip()[:200]
    page = request.query_params.get("page", "1")
    library = desk_of(request).knowledge
    revisions = await run_in_threadpool(library.current)
    listing = catalogue(revisions, search, int(page) if page.isdigit() else 1)
    retired = await run_in_threadpool(library.retired)
    return render(request, "kb.html", {"listing": listing, "search": search, "retired": retired})


async def _current(request: Request, entry_id: str) -> KbRevision:
    revision = await run_in_threadpool(desk_of(request).knowledge.revision, entry_id)
    if revision is None:
        raise HTTPException(404, f"There is no entry {entry_id}.")
    return revision


def _checked(desk: Desk, entry_id: str, text: str) -> dict[str, Any]:
    """The text's problems beside their lines, and its answer as each channel would send it."""
    problems = desk.knowledge.validate(entry_id, text)
    whole, lines = annotated(text, problems)
    entry = read_entry(text, f"{entry_id}.md").entry
    previews = desk.answer_previews(entry) if entry is not None else {}
    return {"problems": problems, "whole": whole, "lines": lines, "previews": previews}


def _tried(desk: Desk, entry_id: str, text: str, question: str) -> dict[str, Any]:
    """The question's top matches against the saved entries, and against them with this text saved."""
    if not question:
        return {"question": "", "before": None, "after": None}
    desk.knowledge.refresh()  # the saved entries as every worker answers with them
    draft = desk.knowledge.draft(entry_id, text)
    after = explain_question(draft, question, TOP) if draft is not None else None
    return {"question": question, "before": explain_question(desk.knowledge, question, TOP), "after": after}


async def _page(
    request: Request,
    current: KbRevision,
    text: str | None = None,
    change: str = "",
    status_code: int = 200,
    question: str = "",
    **context: Any,
) -> Response:
    """The editor with `text` (the saved one by default), checked and previewed, beside the current revision."""
    desk = desk_of(request)
    draft = current.text if text is None else text
    values = {
        "current": current,
        "text": draft,
        "change": change,
        "saved": request.query_params.get("saved", ""),
        "refused": None,
        "stale": None,
        **await run_in_threadpool(_checked, desk, current.entry_id, draft),
        **await run_in_threadpool(_tried, desk, current.entry_id, draft, question),
    }
    return render(request, "kb_entry.html", {**values, **context}, status_code=status_code)


async def _fields(request: Request) -> tuple[str, str, str]:
    """The text, question and change note an editor's form sent."""
    form = await request.form()
    text = str(form.get("text", ""))[:MAX_TEXT_CHARS].replace("\r\n", "\n")
    question = " ".join(str(form.get("question", "")).split())[:MAX_QUESTION_CHARS]
    return text, question, str(form.get("change", "")).strip()


async def _draft(request: Request) -> tuple[KbRevision, str, str, str]:
    """The entry as saved, and the text, question and change note the editor's form sent."""
    text, question, change = await _fields(request)
    return await _current(request, request.path_params["entry_id"]), text, question, change


@requires(Role.ADMIN)
async def check(request: Request) -> Response:
    """The draft's problems and previews: the part of the page htmx swaps while the admin types, or the page."""
    current, text, question, change = await _draft(request)
    if "HX-Request" not in request.headers:
        return await _page(request, current, text, change, question=question)
    context = await run_in_threadpool(_checked, desk_of(request), current.entry_id, text)
    return render(request, "kb_checked.html", {"current": current, **context})


@requires(Role.ADMIN)
async def test(request: Request) -> Response:
    """A question's matches before and after the draft: the part of the page htmx swaps, or the page."""
    current, text, question, change = await _draft(request)
    if "HX-Request" not in request.headers:
        return await _page(request, current, text, change, question=question)
    context = await run_in_threadpool(_tried, desk_of(request), current.entry_id, text, question)
    return render(request, "kb_matches.html", {"current": current, **context})


@requires(Role.ADMIN)
async def entry(request: Request) -> Response:
    current = await _current(request, request.path_params["entry_id"])
    if is_retired(current):
        return await _history(request, current)
    return await _page(request, current)


@requires(Role.ADMIN)
async def save(request: Request) -> Response:
    """Saved as a new revision under the admin's name; invalid, unchanged or overtaken, the page says why."""
    entry_id = request.path_params["entry_id"]
    form = await request.form()
    current, text, _, change = await _draft(request)
    seen = str(form.get("seen", ""))
    if not change:
        return await _page(request, current, text, change, 400, refused="Write a change note: the history shows it.")
    if text == current.text:
        return await _page(request, current, text, change, 400, refused="Nothing changed, so no revision was saved.")
    user: SignedIn = request.user
    library = desk_of(request).knowledge
    try:
        number = await run_in_threadpool(
            library.save, entry_id, text, user.display_name, change, int(seen) if seen.isdigit() else 0
        )
    except StaleEdit as stale:
        return await _page(request, stale.latest, text, change, 409, stale=stale.latest)
    except EntryError:
        return await _page(request, current, text, change, 400, refused="Not saved: fix the problems marked below.")
    path = request.url_for("kb_entry", entry_id=entry_id).path
    return RedirectResponse(f"{path}?saved={number}", status_code=303)


def diff(old: str, new: str) -> list[tuple[str, str]]:
    """The lines that differ from `old` to `new`, with three of context, each with its kind for the page."""
    kinds = {"+": "added", "-": "removed", "@": "hunk"}
    lines = list(difflib.unified_diff(old.split("\n"), new.split("\n"), lineterm=""))[2:]  # no file headers
    return [(kinds.get(line[:1], "same"), line) for line in lines]


async def _history(request: Request, current: KbRevision) -> Response:
    history = await run_in_threadpool(desk_of(request).knowledge.history, current.entry_id)
    return render(request, "kb_revisions.html", {"current": current, "revisions": history[::-1]})


@requires(Role.ADMIN)
async def revisions(request: Request) -> Response:
    return await _history(request, await _current(request, request.path_params["entry_id"]))


@requires(Role.ADMIN)
async def retire(request: Request) -> Response:
    """A revision that retires the entry: confirmed, with a note, and refused while others need it (`related`)."""
    current = await _current(request, request.path_params["entry_id"])
    form = await request.form()
    change, seen = str(form.get("retire_change", "")).strip(), str(form.get("seen", ""))
    if form.get("confirm") != "yes" or not change:
        refusal = "Not retired: tick the box to confirm, and write why in the note (the history shows it)."
        return await _page(request, current, status_code=400, refused=refusal)
    user: SignedIn = request.user
    try:
        await run_in_threadpool(
            desk_of(request).knowledge.retire,
            current.entry_id,
            user.display_name,
            change,
            int(seen) if seen.isdigit() else 0,
        )
    except StaleEdit as stale:
        return await _page(request, stale.latest, status_code=409, stale=stale.latest)
    except EntryError as error:
        needed = "; ".join(f"{problem.file}: {problem.message}" for problem in error.problems)
        refusal = f"Not retired: without it the knowledge base would not pass kb check ({needed})."
        return await _page(request, current, status_code=400, refused=refusal)
    return RedirectResponse(request.url_for("kb_entry", entry_id=current.entry_id).path, status_code=303)


def _id_refusal(desk: Desk, entry_id: str) -> str | None:
    """Why a new entry cannot have this id, if it cannot."""
    if not SLUG.match(entry_id) or len(entry_id) > 80 or entry_id == NEW:
        return "Choose an id of lowercase words joined by hyphens (such as vpn-and-proxies), other than \"new\"."
    taken = desk.knowledge.revision(entry_id)
    if taken is None:
        return None
    if is_retired(taken):
        return f"There was an entry {entry_id}, retired in revision {taken.number}: bring it back from its revisions, or choose another id."
    return _taken(entry_id)


def _taken(entry_id: str) -> str:
    return f"There is already an entry {entry_id}: edit it, or choose another id."


def _checked_as(entry_id: str) -> str:
    """The id a new entry's text is checked and tried under: its own once well formed."""
    return entry_id if SLUG.match(entry_id) else "new-entry"


async def _new_page(
    request: Request, entry_id: str, text: str, change: str = "", question: str = "", status_code: int = 200, **context: Any
) -> Response:
    """The new-entry form with its text checked, previewed and tried as the editor does."""
    desk = desk_of(request)
    checked_as = _checked_as(entry_id)
    values = {
        "current": {"entry_id": checked_as},  # what the test box marks as this entry
        "entry_id": entry_id,
        "text": text,
        "change": change,
        "refused": None,
        **await run_in_threadpool(_checked, desk, checked_as, text),
        **await run_in_threadpool(_tried, desk, checked_as, text, question),
    }
    return render(request, "kb_new.html", {**values, **context}, status_code=status_code)


async def _new_fields(request: Request) -> tuple[str, str, str, str]:
    form = await request.form()
    text, question, change = await _fields(request)
    return str(form.get("entry_id", "")).strip()[:80], text, question, change


@requires(Role.ADMIN)
async def new_entry(request: Request) -> Response:
    desk = desk_of(request)
    return await _new_page(request, "", SKELETON.format(entry_id="", today=desk.clock.now().date().isoformat()))


@requires(Role.ADMIN)
async def new_check(request: Request) -> Response:
    """The new text's problems and previews, or its matches: the part htmx swaps, or the whole page."""
    entry_id, text, question, change = await _new_fields(request)
    if "HX-Request" not in request.headers:
        return await _new_page(request, entry_id, text, change, question)
    checked_as = _checked_as(entry_id)
    if request.url.path.endswith("/test"):
        context = await run_in_threadpool(_tried, desk_of(request), checked_as, text, question)
        return render(request, "kb_matches.html", {"current": {"entry_id": checked_as}, **context})
    context = await run_in_threadpool(_checked, desk_of(request), checked_as, text)
    return render(request, "kb_checked.html", context)


@requires(Role.ADMIN)
async def create(request: Request) -> Response:
    """The entry's first revision under the admin's name; a taken or malformed id or an invalid text is refused."""
    desk = desk_of(request)
    entry_id, text, question, change = await _new_fields(request)
    refusal = await run_in_threadpool(_id_refusal, desk, entry_id)
    if refusal is None and not change:
        refusal = "Write a change note: the history shows it."
    if refusal is not None:
        return await _new_page(request, entry_id, text, change, question, 400, refused=refusal)
    user: SignedIn = request.user
    try:
        number = await run_in_threadpool(desk.knowledge.create, entry_id, text, user.display_name, change)
    except StaleEdit:  # created by someone else since the check above
        return await _new_page(request, entry_id, text, change, question, 409, refused=_taken(entry_id))
    except EntryError:
        return await _new_page(request, entry_id, text, change, question, 400, refused="Not saved: fix the problems marked below.")
    path = request.url_for("kb_entry", entry_id=entry_id).path
    return RedirectResponse(f"{path}?saved={number}", status_code=303)


async def _compared(request: Request, status_code: int = 200, refused: str | None = None) -> Response:
    """Revision NUMBER beside the current text, with the form that brings it back."""
    current = await _current(request, request.path_params["entry_id"])
    number = request.path_params["number"]
    old = await run_in_threadpool(desk_of(request).knowledge.revision, current.entry_id, number)
    if old is None:
        raise HTTPException(404, f"{current.entry_id} has no revision {number}.")
    context = {"current": current, "old": old, "lines": diff(old.text, current.text), "refused": refused}
    return render(request, "kb_diff.html", context, status_code=status_code)


@requires(Role.ADMIN)
async def revision(request: Request) -> Response:
    return await _compared(request)


@requires(Role.ADMIN)
async def revert(request: Request) -> Response:
    """The old text as a new revision under the admin's name; one that no longer passes the checks is refused."""
    entry_id, number = request.path_params["entry_id"], request.path_params["number"]
    user: SignedIn = request.user
    try:
        saved = await run_in_threadpool(desk_of(request).knowledge.revert, entry_id, number, user.display_name)
    except KeyError as unknown:
        raise HTTPException(404, f"{entry_id} has no revision {number}.") from unknown
    except EntryError as error:
        problems = "; ".join(f"line {problem.line}: {problem.message}" for problem in error.problems)
        return await _compared(request, 400, f"Not reverted: revision {number} would not pass the checks now ({problems}).")
    path = request.url_for("kb_entry", entry_id=entry_id).path
    return RedirectResponse(f"{path}?saved={saved}", status_code=303)


ROUTES = [
    Route("/kb", entries, name="kb"),
    Route(f"/kb/{NEW}", new_entry, name="kb_new"),
    Route(f"/kb/{NEW}", create, methods=["POST"], name="kb_create"),
    Route(f"/kb/{NEW}/check", new_check, methods=["POST"], name="kb_new_check"),
    Route(f"/kb/{NEW}/test", new_check, methods=["POST"], name="kb_new_test"),
    Route("/kb/{entry_id:str}", entry, name="kb_entry"),
    Route("/kb/{entry_id:str}/save", save, methods=["POST"], name="kb_save"),
    Route("/kb/{entry_id:str}/retire", retire, methods=["POST"], name="kb_retire"),
    Route("/kb/{entry_id:str}/check", check, methods=["POST"], name="kb_check"),
    Route("/kb/{entry_id:str}/test", test, methods=["POST"], name="kb_test"),
    Route("/kb/{entry_id:str}/revisions", revisions, name="kb_revisions"),
    Route("/kb/{entry_id:str}/revisions/{number:int}", revision, name="kb_revision"),
    Route("/kb/{entry_id:str}/revisions/{number:int}/revert", revert, methods=["POST"], name="kb_revert"),
]
