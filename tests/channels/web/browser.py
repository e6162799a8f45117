"""A test browser for the web chat: reads the page as a person does (messages, buttons by their label)
and posts its forms through Starlette's test client."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from html.parser import HTMLParser

from sqlmodel import col, select
from starlette.testclient import TestClient

from bot.channels.web.channel import WebChannel
from bot.channels.web.session import COOKIE
from bot.core.events import Attachment, Reply
from bot.core.outbox import outbound
from bot.store.models import OutboxMessage

_nonces = itertools.count(1)


@dataclass
class Shown:
    """One message on the page: who said it, its text as a person reads it, its buttons (label, payload)."""

    id: int
    author: str
    text: str = ""
    buttons: list[tuple[str, str]] = field(default_factory=list)
    files: str = ""
    replaces: int | None = None


class ChatPage(HTMLParser):
    """The messages of the page (or of one pushed fragment), and the form's CSRF token."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.messages: list[Shown] = []
        self.csrf = ""
        self._in: str | None = None
        self._button: tuple[str, str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        classes = values.get("class", "").split()
        if tag == "li" and "entry" in classes:
            replaces = values.get("data-replaces")
            self.messages.append(
                Shown(int(values["id"].removeprefix("m")), classes[1], replaces=int(replaces) if replaces else None)
            )
        elif (tag == "div" and "said" in classes) or (tag == "p" and "files" in classes):
            self._in = "text" if tag == "div" else "files"
        elif tag == "button" and values.get("name") == "payload":
            self._button = ("", values["value"])
        elif tag == "input" and values.get("name") == "csrf":
            self.csrf = values["value"]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("div", "p"):
            self._in = None
        elif tag == "button" and self._button is not None:
            self.messages[-1].buttons.append((self._button[0].strip(), self._button[1]))
            self._button = None

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button = (self._button[0] + data, self._button[1])
        elif self._in is not None and self.messages:
            message = self.messages[-1]
            setattr(message, self._in, getattr(message, self._in) + data)


class Browser:
    """One visitor: its cookie is its identity, as a real browser's is."""

    def __init__(self, client: TestClient, channel: WebChannel) -> None:
        self.client = client
        self.web = channel
        self.desk = channel.chat.desk
        self.page = self.open()
        chat_id = channel.chat.sessions.chat_in(client.cookies.get(COOKIE))
        assert chat_id is not None, "the page set no cookie"
        self.chat_id = chat_id
        self._seen = self._last_outbox_id()
        self.last: list[Reply] = []

    def open(self) -> ChatPage:
        response = self.client.get("/")
        assert response.status_code == 200, response.text
        self.page = ChatPage(response.text)
        return self.page

    def send(self, text: str = "", files: tuple[Attachment, ...] = ()) -> list[Reply]:
        uploads = [("files", (item.name, item.fetch(), item.mime_type)) for item in files]
        return self.submit({"text": text}, uploads)

    def press(self, label: str) -> list[Reply]:
        for message in reversed(self.open().messages):
            for shown, payload in message.buttons:
                if shown.removeprefix("✓ ") == label:
                    fields = {"payload": payload} | ({"message": str(message.id)} if message.id else {})
                    return self.submit(fields)
        raise AssertionError(f"no button {label!r} on the page: {self.labels()}")

    def labels(self) -> list[str]:
        return [label for message in self.open().messages for label, _ in message.buttons]

    def templates(self) -> list[str]:
        """The templates of the last turn's replies, as `ChatUser.templates` gives them."""
        return [reply.template for reply in self.last]

    def text(self) -> str:
        """What the page shows, message by message."""
        return "\n".join(message.text for message in self.open().messages)

    def post(self, fields: dict[str, str], **options: object) -> object:
        """A raw form post with this browser's cookie (for what a page of ours would never send)."""
        return self.client.post("/chat/send", data=fields, **options)  # type: ignore[arg-type]

    def submit(
        self, fields: dict[str, str], files: list[tuple[str, tuple[str, bytes, str]]] | None = None
    ) -> list[Reply]:
        """Posts the page's form with these fields (and its CSRF token and a new nonce); the turn's replies."""
        data = {"csrf": self.page.csrf, "nonce": f"test-nonce-{next(_nonces)}", **fields}
        response = self.client.post(
            "/chat/send", data=data, files=files or None, headers={"Accept": "application/json"}
        )
        assert response.status_code == 204, response.text
        rows = self._outbox_rows(self._seen)
        if rows:
            self._seen = rows[-1].id or self._seen
        self.last = [outbound(row).reply() for row in rows if row.kind == "reply"]
        return self.last

    def _outbox_rows(self, after: int) -> list[OutboxMessage]:
        with self.desk.db.session() as session:
            query = select(OutboxMessage).where(
                OutboxMessage.channel == "web", OutboxMessage.chat_id == self.chat_id, col(OutboxMessage.id) > after
            )
            return list(session.exec(query.order_by(col(OutboxMessage.id))))

    def _last_outbox_id(self) -> int:
        rows = self._outbox_rows(0)
        return (rows[-1].id or 0) if rows else 0
