"""The web chat's HTTP side: the page at `/`, the form posts, and the event stream of new messages.

Every post is one `Inbound` for the core, like a platform update: its form's nonce is the update id,
so a form sent twice is handled once. What the user sent is stored in the transcript first, then the
core's replies arrive through the outbox, and the event stream shows both.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.channels.web.live import Bell, wait
from bot.channels.web.pages import HEADERS, Pages
from bot.channels.web.plugin import NAME
from bot.channels.web.sender import shown_buttons
from bot.channels.web.session import Sessions
from bot.channels.web.transcript import BOT, USER, Said, Transcript, current
from bot.channels.web.uploads import FIELDS_BYTES, attachments_of
from bot.core.delivery import DeliveryWorker
from bot.core.engine import START_BUTTONS
from bot.core.events import Identity, Inbound
from bot.core.text import row_id
from bot.desk import Desk
from bot.store.models import TranscriptEntry

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
NONCE = re.compile(r"[A-Za-z0-9_-]{8,64}")
LOCALE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")
PING_SECONDS = 15
# Files one post may carry: the core refuses those past an appeal's own limit by name, and the body's size is capped.
FORM_FILES = 100
# A stream ends after this long and the browser opens the next one at once, resuming after the last
# message it got (Last-Event-ID): no proxy's idle timeout cuts it, and nothing is lost in between.
STREAM_SECONDS = 300.0
RECONNECT_MILLISECONDS = 1000


class WebChat:
    def __init__(
        self,
        desk: Desk,
        transcript: Transcript,
        bell: Bell,
        sessions: Sessions,
        replies: DeliveryWorker,
        poll_seconds: float,
        stream_seconds: float = STREAM_SECONDS,
    ) -> None:
        self.desk = desk
        self.transcript = transcript
        self.bell = bell
        self.sessions = sessions
        self.replies = replies
        self.poll_seconds = poll_seconds
        self.stream_seconds = stream_seconds
        settings = desk.settings
        self.pages = Pages(desk.renderer, settings.max_message_chars)
        self.max_body = settings.evidence_max_bytes * settings.evidence_max_files + FIELDS_BYTES

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/", self.page, name="web-page"),
            Route("/chat/send", self.send, methods=["POST"], name="web-send"),
            Route("/chat/events", self.events, name="web-events"),
            Mount("/chat/static", StaticFiles(directory=STATIC), name="web-static"),
        ]

    async def page(self, request: Request) -> Response:
        """The conversation so far; a new visitor gets a chat id, and the greeting until they write."""
        chat_id = self.sessions.chat_of(request) or self.sessions.new_chat()
        entries = await asyncio.to_thread(self.transcript.after, chat_id)
        after = (entries[-1].id or 0) if entries else 0
        response = self.pages.page(request, current(entries) or [self._greeting()], self.sessions.csrf(chat_id), after)
        self.sessions.keep(response, chat_id, request)
        return response

    async def send(self, request: Request) -> Response:
        """A message, files or a pressed button; refused with a friendly text when it cannot be read."""
        chat_id = self.sessions.chat_of(request)
        if chat_id is None:
            return self._notice("web/session_expired.j2", 403)
        length = request.headers.get("content-length", "")
        if not length.isdigit() or int(length) > self.max_body:
            return self._notice("web/upload_too_big.j2", 413)
        try:
            form = await request.form(max_files=FORM_FILES, max_fields=16)
        except MultiPartException:
            return self._notice("web/form_unreadable.j2", 400)
        try:
            if not self.sessions.csrf_ok(chat_id, form.get("csrf")):
                return self._notice("web/session_expired.j2", 403)
            inbound, said = await asyncio.to_thread(self._inbound, chat_id, form, request)
            if said is not None:
                await asyncio.to_thread(self.transcript.add, chat_id, f"in:{inbound.update_id}", said)
                self.bell.ring(chat_id)
            await self.desk.answer(inbound, self.replies)
        except Exception:  # the user still gets an answer, where the page shows failures
            log.exception("web chat: a message could not be handled")
            return self._notice("errors/internal.j2", 500)
        finally:
            await form.close()
        if "application/json" in request.headers.get("accept", ""):
            return Response(status_code=204)
        return RedirectResponse(request.url_for("web-page").path, status_code=303)

    async def events(self, request: Request) -> Response:
        """New messages as they are stored, after the one the page (or Last-Event-ID on a reconnect) saw last."""
        chat_id = self.sessions.chat_of(request)
        if chat_id is None:
            return Response(status_code=204)  # an EventSource stops trying on 204
        after = _position(request.headers.get("last-event-id")) or _position(request.query_params.get("after"))
        csrf = self.sessions.csrf(chat_id)

        async def stream() -> AsyncIterator[ServerSentEvent]:
            loop = asyncio.get_running_loop()
            ends = loop.time() + self.stream_seconds
            position = after
            yield ServerSentEvent(comment="resuming", retry=RECONNECT_MILLISECONDS)
            while (left := ends - loop.time()) > 0:
                ring = self.bell.listen(chat_id)
                entries = await asyncio.to_thread(self.transcript.after, chat_id, position)
                for entry in entries:
                    position = entry.id or position
                    yield ServerSentEvent(self.pages.entry(request, entry, csrf), event="entry", id=str(position))
                if not entries:
                    await wait(ring, min(self.poll_seconds, left))

        return EventSourceResponse(stream(), ping=PING_SECONDS, headers={"Cache-Control": "no-store"})

    def _inbound(self, chat_id: str, form: FormData, request: Request) -> tuple[Inbound, Said | None]:
        """The post as the core reads it, and what the transcript shows the user sent (None if nothing)."""
        nonce = str(form.get("nonce") or "")
        update = nonce if NONCE.fullmatch(nonce) else self.sessions.new_chat()
        text = _text(form.get("text"))
        payload = _text(form.get("payload")) or None
        uploads = [item for item in form.getlist("files") if isinstance(item, UploadFile) and item.filename]
        pressed = self._pressed(chat_id, form.get("message"))
        inbound = Inbound(
            Identity(NAME, chat_id, chat_id),
            text="" if payload is not None else text,
            payload=payload,
            attachments=attachments_of(uploads),
            update_id=f"{chat_id}:{update}",
            pressed_message_id=str(pressed.id) if pressed is not None else None,
            locale=_locale(request.headers.get("accept-language", "")),
        )
        if payload is not None:
            label = _label_of(pressed or self._greeting(), payload)
            return inbound, Said(USER, label) if label else None
        names = [upload.filename or "" for upload in uploads]
        return inbound, Said(USER, inbound.text, files=names) if inbound.text or names else None

    def _pressed(self, chat_id: str, value: object) -> TranscriptEntry | None:
        """The bot's message whose button was pressed, if it is one of this chat's."""
        number = row_id(value)
        if number is None:
            return None
        entry = self.transcript.get(chat_id, number)
        return entry if entry is not None and entry.author == BOT else None

    def _greeting(self) -> TranscriptEntry:
        """What a new visitor reads before writing anything: the core's welcome, not stored until they answer."""
        renderer = self.desk.renderer
        buttons = shown_buttons(renderer, START_BUTTONS)
        body = renderer.render("idle/welcome.j2", {}, "html")
        return TranscriptEntry(
            id=0,
            channel=NAME,
            chat_id="",
            key="",
            author=BOT,
            body=body,
            buttons=buttons,
            created_at=self.desk.clock.now(),
        )

    def _notice(self, template: str, status: int) -> Response:
        """A post that never reached the core: the page shows this text where it shows failures."""
        limits = {"total_mb": round(self.max_body / (1024 * 1024)), "max_mb": self.desk.evidence.max_mb}
        text = self.desk.renderer.render(template, limits, "plain")
        return PlainTextResponse(text, status_code=status, headers=HEADERS)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _position(value: str | None) -> int:
    return row_id(value) or 0


def _locale(accept_language: str) -> str | None:
    """The browser's first language ("de-DE"), as the intake reads dates in it."""
    first = accept_language.split(",", 1)[0].split(";", 1)[0].strip()
    return first if LOCALE.fullmatch(first) else None


def _label_of(entry: TranscriptEntry, payload: str) -> str | None:
    return next((button["label"] for row in entry.buttons for button in row if button["payload"] == payload), None)
