"""The knowledge-base editor (admins): the entries, each one's text with `kb check`'s problems beside its lines.

Every rule is the library's: validation (`KnowledgeLibrary.validate`, the checks of `kb check` over the
whole base), saving as a revision under the admin's name, and refusing a save from a page that another
save has overtaken (`StaleEdit`), as a ticket page's stale forms are refused. Workers pick a saved
revision up as they pick up every revision.
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
from bot.core.knowledge.entry import read_entry
from bot.core.knowledge.explain import explain_question
from bot.core.knowledge.library import StaleEdit
from bot.core.knowledge.problems import EntryError, Problem
from bot.desk import Desk
from bot.store.models import KbRevision
from bot.web.console.auth import SignedIn, requires
from bot.web.console.pages import desk_of, render

MAX_TEXT_CHARS = 20_000  # a form field, not a file upload: ten times the longest entry
MAX_QUESTION_CHARS = 2000  # what the conversation keeps of a question
TOP = 5  # matches shown, as `/kb test` shows them


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
    revisions = await run_in_threadpool(desk_of(request).knowledge.current)
    listing = catalogue(revisions, search, int(page) if page.isdigit() else 1)
    return render(request, "kb.html", {"listing": listing, "search": search})


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


async def _draft(request: Request) -> tuple[KbRevision, str, str, str]:
    """The entry as saved, and the text, question and change note the editor's form sent."""
    form = await request.form()
    text = str(form.get("text", ""))[:MAX_TEXT_CHARS].replace("\r\n", "\n")
    question = " ".join(str(form.get("question", "")).split())[:MAX_QUESTION_CHARS]
    return await _current(request, request.path_params["entry_id"]), text, question, str(form.get("change", ""))


@requires(Role.ADMIN)
async def check(request: Request) -> Response:
    """The draft's problems and previews: the part of the page htmx swaps while the admin types, or the page."""
    current, text, question, change = await _draft(request)
    if "HX-Request" not in request.headers:
        return await _page(request, current, text, change.strip(), question=question)
    context = await run_in_threadpool(_checked, desk_of(request), current.entry_id, text)
    return render(request, "kb_checked.html", {"current": current, **context})


@requires(Role.ADMIN)
async def test(request: Request) -> Response:
    """A question's matches before and after the draft: the part of the page htmx swaps, or the page."""
    current, text, question, change = await _draft(request)
    if "HX-Request" not in request.headers:
        return await _page(request, current, text, change.strip(), question=question)
    context = await run_in_threadpool(_tried, desk_of(request), current.entry_id, text, question)
    return render(request, "kb_matches.html", {"current": current, **context})


@requires(Role.ADMIN)
async def entry(request: Request) -> Response:
    return await _page(request, await _current(request, request.path_params["entry_id"]))


@requires(Role.ADMIN)
async def save(request: Request) -> Response:
    """Saved as a new revision under the admin's name; invalid, unchanged or overtaken, the page says why."""
    entry_id = request.path_params["entry_id"]
    form = await request.form()
    current, text, _, change = await _draft(request)
    change = change.strip()
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


@requires(Role.ADMIN)
async def revisions(request: Request) -> Response:
    current = await _current(request, request.path_params["entry_id"])
    history = await run_in_threadpool(desk_of(request).knowledge.history, current.entry_id)
    return render(request, "kb_revisions.html", {"current": current, "revisions": history[::-1]})


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
    Route("/kb/{entry_id:str}", entry, name="kb_entry"),
    Route("/kb/{entry_id:str}/save", save, methods=["POST"], name="kb_save"),
    Route("/kb/{entry_id:str}/check", check, methods=["POST"], name="kb_check"),
    Route("/kb/{entry_id:str}/test", test, methods=["POST"], name="kb_test"),
    Route("/kb/{entry_id:str}/revisions", revisions, name="kb_revisions"),
    Route("/kb/{entry_id:str}/revisions/{number:int}", revision, name="kb_revision"),
    Route("/kb/{entry_id:str}/revisions/{number:int}/revert", revert, methods=["POST"], name="kb_revert"),
]
