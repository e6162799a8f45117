"""The console's pages: Jinja2 templates from templates/console/, every value HTML-escaped.

Each form carries the CSRF token (`csrf_field()`), the pages use the core's date and duration
wording, and `render` gives every template who is signed in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from bot.core.knowledge.library import is_retired
from bot.core.refusals import Refusal, refusal_template
from bot.core.rendering import PLAIN, format_day, format_duration, format_when
from bot.desk import Desk
from bot.web.console.auth import SignedIn

CSRF_FIELD = "csrftoken"  # the form field asgi-csrf reads


@pass_context
def csrf_field(context: dict[str, Any]) -> Markup:
    """The hidden input every form of the console sends, with the token of this visitor's CSRF cookie."""
    token = context["request"].scope["csrftoken"]()
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, escape(token))


def console_templates(templates_dir: Path) -> Jinja2Templates:
    environment = Environment(
        loader=FileSystemLoader(templates_dir / "console"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["csrf_field"] = csrf_field
    environment.filters.update(when=format_when, day=format_day, duration=format_duration)
    environment.tests["retired"] = is_retired
    return Jinja2Templates(env=environment)


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    user = request.user if isinstance(request.user, SignedIn) else None
    return templates.TemplateResponse(request, name, {"me": user, **(context or {})}, status_code=status_code)


def desk_of(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


def refusal_text(request: Request, refused: Refusal) -> str:
    """The rule's own sentence, as the command line says it; the page escapes it like any value."""
    template = refusal_template(refused)
    return desk_of(request).renderer.render(template, {"code": refused.code, **refused.context}, PLAIN.name)
