"""A ticket's files on its page: a preview for images and PDFs, and a download, each logged under the agent's name.

The core hands over only bytes that match the sha256 recorded when the file was received; a file that
does not is refused with a page that says so (and the core has logged and alerted it). What a user
sent is never served as a page: only raster images and PDFs are shown inline, everything else is an
attachment, HTML, SVG and script types go as plain bytes, and the browser is told not to guess
(`X-Content-Type-Options: nosniff`) and to run nothing in it (a sandboxing Content-Security-Policy).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.core.accounts import Role
from bot.core.tickets.files import REFUSED, FileCopy, FileUse
from bot.core.tickets.lifecycle import Refused
from bot.web.console.auth import SignedIn, requires
from bot.web.console.pages import desk_of, refusal_text, render

IMAGES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
PDF = "application/pdf"
PREVIEWED = IMAGES | {PDF}
# Types a browser would run as a page or a script if it ever rendered them; they are saved as bytes.
ACTIVE = re.compile(r"html|xml|svg|javascript|ecmascript", re.IGNORECASE)
UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def previewable(mime_type: str) -> bool:
    return mime_type in PREVIEWED


def disposition(kind: str, name: str) -> str:
    """`Content-Disposition` with an ASCII fallback name and the real one encoded (RFC 6266), so no
    quote, semicolon or line break a user put in a file name reaches the header."""
    fallback = UNSAFE_NAME.sub("_", name).strip("._") or "file"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _served_as(mime_type: str) -> str:
    if ACTIVE.search(mime_type):
        return "application/octet-stream"
    if mime_type.startswith("text/"):
        return f"{mime_type}; charset=utf-8"
    return mime_type


def file_response(copy: FileCopy, inline: bool) -> Response:
    evidence = copy.evidence
    headers = {
        "Content-Disposition": disposition("inline" if inline else "attachment", evidence.name),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",  # every look is logged, so none is answered from a cache
        "Referrer-Policy": "no-referrer",
    }
    if not (inline and evidence.mime_type == PDF):  # the browser's PDF viewer needs its scripts
        headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return Response(copy.data, media_type=_served_as(evidence.mime_type), headers=headers)


async def _copy(request: Request, use: FileUse) -> FileCopy | Response:
    user: SignedIn = request.user
    reference, file_id = request.path_params["reference"], request.path_params["file_id"]
    try:
        copy: FileCopy = await run_in_threadpool(desk_of(request).tickets.download, reference, file_id, user.actor, use)
    except Refused as refused:
        if refused.code != REFUSED:
            raise HTTPException(404, refusal_text(request, refused)) from refused
        return render(request, "file_refused.html", {"detail": refusal_text(request, refused), "reference": reference}, 409)
    return copy


@requires(Role.AGENT)
async def preview(request: Request) -> Response:
    """An image or a PDF shown on the ticket page; other types have no preview (they are downloaded)."""
    copy = await _copy(request, FileUse.PREVIEWED)
    if isinstance(copy, Response):
        return copy
    if not previewable(copy.evidence.mime_type):
        raise HTTPException(404, "This file has no preview. Download it instead.")
    return file_response(copy, inline=True)


@requires(Role.AGENT)
async def download(request: Request) -> Response:
    copy = await _copy(request, FileUse.DOWNLOADED)
    return copy if isinstance(copy, Response) else file_response(copy, inline=False)


ROUTES = [
    Route("/tickets/{reference:str}/files/{file_id:int}/preview", preview, name="file_preview"),
    Route("/tickets/{reference:str}/files/{file_id:int}/download", download, name="file_download"),
]
