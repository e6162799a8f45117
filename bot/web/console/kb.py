"""The knowledge-base editor (admins): the entries, each one's text with `kb check`'s problems beside its lines.

Every rule is the library's: validation (`KnowledgeLibrary.validate`, the checks of `kb check` over the
whole base), saving as a revision under the admin's name, and refusing a save from a page that another
save has overtaken (`StaleEdit`), as a ticket page's stale forms are refused. Workers pick a saved
revision up as they pick up every revision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.core.accounts import Role
from bot.core.knowledge.catalogue import catalogue
from bot.core.knowledge.library import StaleEdit
from bot.core.knowledge.problems import EntryError, Problem
from bot.store.models import KbRevision
from bot.web.console.auth import SignedIn, requires
from bot.web.console.pages import desk_of, render

MAX_TEXT_CHARS = 20_000  # a form field, not a file upload: ten times the longest entry


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


async def _page(
    request: Request,
    current: KbRevision,
    text: str | None = None,
    change: str = "",
    status_code: int = 200,
    **context: Any,
) -> Response:
    """The editor with `text` (the saved one by default), checked, beside the entry's current revision."""
    draft = current.text if text is None else text
    problems = await run_in_threadpool(desk_of(request).knowledge.validate, current.entry_id, draft)
    whole, lines = annotated(draft, problems)
    values = {
        "current": current,
        "text": draft,
        "change": change,
        "problems": problems,
        "whole": whole,
        "lines": lines,
        "saved": request.query_params.get("saved", ""),
        "refused": None,
        "stale": None,
    }
    return render(request, "kb_entry.html", {**values, **context}, status_code=status_code)


@requires(Role.ADMIN)
async def entry(request: Request) -> Response:
    return await _page(request, await _current(request, request.path_params["entry_id"]))


@requires(Role.ADMIN)
async def save(request: Request) -> Response:
    """Saved as a new revision under the admin's name; invalid, unchanged or overtaken, the page says why."""
    entry_id = request.path_params["entry_id"]
    form = await request.form()
    text = str(form.get("text", ""))[:MAX_TEXT_CHARS].replace("\r\n", "\n")
    change = str(form.get("change", "")).strip()
    seen = str(form.get("seen", ""))
    current = await _current(request, entry_id)
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


ROUTES = [
    Route("/kb", entries, name="kb"),
    Route("/kb/{entry_id:str}", entry, name="kb_entry"),
    Route("/kb/{entry_id:str}/save", save, methods=["POST"], name="kb_save"),
]
