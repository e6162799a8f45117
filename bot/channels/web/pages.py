"""The chat page and its messages as HTML, from Jinja2 templates with autoescaping on.

What the user wrote is escaped here; what the bot said comes rendered by the core's HTML format,
which escaped every value in it, so it is the one thing inserted as markup.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from bot.core.rendering import Renderer
from bot.store.models import TranscriptEntry

PAGES = Path(__file__).parent / "pages"
# A page that lists someone's appeal is never cached, framed by another site, or given scripts from elsewhere.
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class Pages:
    def __init__(self, renderer: Renderer, max_chars: int) -> None:
        env = Environment(loader=FileSystemLoader(PAGES), autoescape=True, trim_blocks=True, lstrip_blocks=True)
        env.globals.update(label=renderer.label_text, nonce=lambda: secrets.token_hex(16), max_chars=max_chars)
        self.templates = Jinja2Templates(env=env)

    def page(self, request: Request, entries: Sequence[TranscriptEntry], csrf: str, after: int) -> Response:
        """The whole conversation, with the form to write; `after` is where its event stream starts."""
        context = {"entries": entries, "csrf": csrf, "after": after}
        return self.templates.TemplateResponse(request, "chat.html", context, headers=HEADERS)

    def entry(self, request: Request, entry: TranscriptEntry, csrf: str) -> str:
        """One message, as the event stream sends it for the page to add."""
        template = self.templates.get_template("entry.html")
        return template.render(request=request, entry=entry, csrf=csrf).strip()
