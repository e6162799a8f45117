"""A fake Telegram Bot API server on 127.0.0.1, for tests and benchmarks: real request and response shapes.

It speaks what python-telegram-bot sends (`POST /bot<token>/<method>` with form fields whose
values are JSON-encoded, `GET /file/bot<token>/<path>` for downloads) and answers like Telegram,
errors included (`{"ok": false, "error_code": ..., "description": ..., "parameters": {...}}`).
HTML is checked the way Telegram checks it, so a stray `<` or `&` fails as it would for real.
Tests enqueue updates (a user typing, tapping, sending a file), inject errors, and read every call.
Independent of the bot: it knows nothing but the Bot API.
"""

from __future__ import annotations

import html
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

BOT_ID = 7000000001
BOT_USERNAME = "appealdesk_test_bot"
DOWNLOAD_LIMIT = 20 * 1024 * 1024
TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64

_JSON_FIELDS = {"reply_markup", "reply_parameters", "link_preview_options", "allowed_updates", "commands", "entities"}
_NUMBER_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "cache_time", "max_connections"}
_BOOL_FIELDS = {"show_alert", "drop_pending_updates", "disable_notification"}
_ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-spoiler",
    "span",
    "tg-emoji",
}
_TOKEN = re.compile(
    r"<(/?)([a-zA-Z][\w-]*)((?:\s+[a-zA-Z-]+(?:=\"[^\"<>]*\"|='[^'<>]*'|=[^\s>]+)?)*)\s*>|&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);"
)


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


@dataclass(frozen=True)
class FakeUser:
    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    response: Any = None
    error: str | None = None

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return value if isinstance(value, int) else None

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback data) of the inline keyboard sent with this call."""
        markup = self.params.get("reply_markup") or {}
        return [
            (button["text"], button.get("callback_data", ""))
            for row in markup.get("inline_keyboard", [])
            for button in row
        ]


@dataclass
class _Injected:
    method: str
    code: int
    description: str
    retry_after: int | None
    chat_id: int | None
    times: int
    after: int  # matching calls that still go through first


@dataclass
class _State:
    updates: list[dict[str, Any]] = field(default_factory=list)
    pushed_at: dict[int, float] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    next_message_id: dict[int, int] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    errors: list[_Injected] = field(default_factory=list)
    webhook: dict[str, Any] = field(default_factory=dict)
    commands: list[Any] = field(default_factory=list)
    next_update_id: int = 1
    next_file: int = 1
    next_query: int = 1


def check_html(text: str) -> str:
    """Telegram's HTML rules; returns the visible text or raises ApiError like Telegram does."""
    visible: list[str] = []
    stack: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        _check_plain(text[position : match.start()], position)
        visible.append(text[position : match.start()])
        position = match.end()
        if match.group(4):
            visible.append(html.unescape(match.group(0)))
            continue
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name not in _ALLOWED_TAGS:
            raise ApiError(
                400,
                f'Bad Request: can\'t parse entities: unsupported start tag "{name}" at byte offset {match.start()}',
            )
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            raise ApiError(400, f"Bad Request: can't parse entities: unexpected end tag at byte offset {match.start()}")
    _check_plain(text[position:], position)
    visible.append(text[position:])
    if stack:
        raise ApiError(
            400, f"Bad Request: can't parse entities: can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return "".join(visible)


def _check_plain(chunk: str, offset: int) -> None:
    for index, char in enumerate(chunk):
        if char in "<&":
            raise ApiError(
                400, f"Bad Request: can't parse entities: unexpected character at byte offset {offset + index}"
            )


class FakeBotApi:
    """Start with `start()` (or as a context manager); `url` is what the bot uses as its API server."""

    def __init__(self, token: str = "123456:TEST-TOKEN") -> None:
        self.token = token
        self._state = _State()
        self._changed = threading.Condition()
        self._closing = False
        self.download_seconds = 0.0  # how long each file download takes (a slow network)
        # decides, call by call, whether Telegram has a bad moment (a 429, a 502) for this call
        self.faults: Callable[[str, dict[str, Any]], ApiError | None] | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-bot-api", daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeBotApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # ---- what tests and benchmarks do ------------------------------------------------------------------

    def text(
        self, user: FakeUser, text: str, chat_id: int | None = None, reply_to: dict[str, Any] | None = None
    ) -> int:
        """The user types a message (in their private chat, or in a group)."""
        body: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if reply_to is not None:
            body["reply_to_message"] = reply_to
        return self._message(user, body, chat_id)

    def document(self, user: FakeUser, data: bytes, name: str, mime_type: str, caption: str = "") -> int:
        """A document as Telegram sends it; its file path is the server's own ("documents/file_3.pdf"), not the name."""
        suffix = Path(name).suffix
        file_id, unique = self.add_file(
            data, "documents/file" + (suffix if suffix[1:].isascii() and suffix[1:].isalnum() else "")
        )
        body: dict[str, Any] = {
            "document": {
                "file_id": file_id,
                "file_unique_id": unique,
                "file_name": name,
                "mime_type": mime_type,
                "file_size": len(data),
            }
        }
        if caption:
            body["caption"] = caption
        return self._message(user, body, None)

    def photo(self, user: FakeUser, data: bytes, caption: str = "") -> int:
        """A photo as Telegram sends it: a small thumbnail and the full size, and the caption if any."""
        thumb_id, thumb_unique = self.add_file(data[:64], "photos/thumb.jpg")
        file_id, unique = self.add_file(data, "photos/full.jpg")
        sizes = [
            {
                "file_id": thumb_id,
                "file_unique_id": thumb_unique,
                "width": 90,
                "height": 60,
                "file_size": min(64, len(data)),
            },
            {"file_id": file_id, "file_unique_id": unique, "width": 1280, "height": 853, "file_size": len(data)},
        ]
        return self._message(user, {"photo": sizes} | ({"caption": caption} if caption else {}), None)

    def press(self, user: FakeUser, message: dict[str, Any], data: str) -> int:
        """The user taps a button of one of the bot's messages."""
        with self._changed:
            query_id = str(self._state.next_query)
            self._state.next_query += 1
        return self.push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.json(),
                    "chat_instance": "1",
                    "data": data,
                    "message": message,
                }
            }
        )

    def push(self, update: dict[str, Any]) -> int:
        with self._changed:
            update_id = self._state.next_update_id
            self._state.next_update_id += 1
            self._state.updates.append({"update_id": update_id, **update})
            self._state.pushed_at[update_id] = time.perf_counter()
            self._changed.notify_all()
        return update_id

    def update(self, update_id: int) -> dict[str, Any]:
        """A pushed update as Telegram would POST it to a webhook (only until `getUpdates` confirms it)."""
        with self._changed:
            return next(dict(u) for u in self._state.updates if u["update_id"] == update_id)

    def add_file(self, data: bytes, path: str) -> tuple[str, str]:
        with self._changed:
            number = self._state.next_file
            self._state.next_file += 1
            file_id = f"FILE{number:06d}"
            self._state.files[file_id] = (f"{number}_{path}", data)
        return file_id, f"U{number:06d}"

    def fail(
        self,
        method: str,
        code: int,
        description: str,
        retry_after: int | None = None,
        chat_id: int | None = None,
        times: int = 1,
        after: int = 0,
    ) -> None:
        """The next `times` calls of `method` (to `chat_id`, if given) fail with this error, once `after`
        such calls went through (`after=1`: the second part of a long message fails)."""
        with self._changed:
            self._state.errors.append(_Injected(method, code, description, retry_after, chat_id, times, after))

    def calls(self, method: str | None = None, chat_id: int | None = None, since: int = 0) -> list[Call]:
        with self._changed:
            calls = self._state.calls[since:]
        return [
            c for c in calls if (method is None or c.method == method) and (chat_id is None or c.chat_id == chat_id)
        ]

    def call_count(self) -> int:
        with self._changed:
            return len(self._state.calls)

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        with self._changed:
            return dict(self._state.messages[(chat_id, message_id)])

    def messages_in(self, chat_id: int) -> list[dict[str, Any]]:
        """The chat as it looks now, oldest message first."""
        with self._changed:
            found = [dict(m) for (chat, _), m in self._state.messages.items() if chat == chat_id]
        return sorted(found, key=lambda m: m["message_id"])

    def pushed_at(self, update_id: int) -> float:
        with self._changed:
            return self._state.pushed_at[update_id]

    @property
    def webhook(self) -> dict[str, Any]:
        with self._changed:
            return dict(self._state.webhook)

    @property
    def commands(self) -> list[Any]:
        with self._changed:
            return list(self._state.commands)

    # ---- the API -----------------------------------------------------------------------------------

    def call(self, method: str, params: dict[str, Any]) -> Any:
        call = Call(method, params, time.perf_counter())
        with self._changed:
            self._state.calls.append(call)
            injected = self._injected(method, params)
        try:
            if injected is not None:
                raise ApiError(injected.code, injected.description, injected.retry_after)
            fault = self.faults(method, params) if self.faults is not None else None
            if fault is not None:
                raise fault
            handler = getattr(self, f"_api_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            call.response = handler(params)
            return call.response
        except ApiError as error:
            call.error = error.description
            raise

    def _injected(self, method: str, params: dict[str, Any]) -> _Injected | None:
        for item in self._state.errors:
            if item.method == method and item.times > 0 and item.chat_id in (None, params.get("chat_id")):
                if item.after > 0:
                    item.after -= 1
                    continue
                item.times -= 1
                return item
        return None

    def _api_getMe(self, _params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "AppealDesk",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset, limit = int(params.get("offset") or 0), int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        with self._changed:
            while True:
                self._state.updates = [u for u in self._state.updates if u["update_id"] >= offset]
                if self._state.updates or self._closing:
                    return self._state.updates[:limit]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._changed.wait(remaining)

    def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        text = self._visible(params)
        _check_buttons(params)
        with self._changed:
            message = self._new_message(
                chat_id, {"id": BOT_ID, "is_bot": True, "first_name": "AppealDesk", "username": BOT_USERNAME}
            )
            message["text"] = text
            if "inline_keyboard" in (params.get("reply_markup") or {}):  # Telegram echoes inline keyboards only
                message["reply_markup"] = params["reply_markup"]
            reply_to = (params.get("reply_parameters") or {}).get("message_id")
            if reply_to and (chat_id, reply_to) in self._state.messages:
                message["reply_to_message"] = self._state.messages[(chat_id, reply_to)]
            self._state.messages[(chat_id, message["message_id"])] = message
            return message

    def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        text = self._visible(params)
        _check_buttons(params)
        return self._edit(params, {"text": text, "reply_markup": params.get("reply_markup")})

    def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        _check_buttons(params)
        return self._edit(params, {"reply_markup": params.get("reply_markup")})

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        if len(str(params.get("text", ""))) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _api_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._changed:
            found = self._state.files.get(str(params.get("file_id")))
        if found is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        path, data = found
        if len(data) > DOWNLOAD_LIMIT:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": params["file_id"],
            "file_unique_id": "U" + str(params["file_id"]),
            "file_size": len(data),
            "file_path": path,
        }

    def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        with self._changed:
            self._state.commands = list(params.get("commands") or [])
        return True

    def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        with self._changed:
            self._state.webhook = dict(params)
        return True

    def _api_deleteWebhook(self, _params: dict[str, Any]) -> bool:
        with self._changed:
            self._state.webhook = {}
        return True

    def download(self, path: str) -> bytes | None:
        with self._changed:
            return next((data for stored, data in self._state.files.values() if stored == path), None)

    # ---- internals -----------------------------------------------------------------------------------

    def _visible(self, params: dict[str, Any]) -> str:
        text = str(params.get("text", ""))
        visible = check_html(text) if str(params.get("parse_mode", "")).upper() == "HTML" else text
        if not visible.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(visible.encode("utf-16-le")) // 2 > TEXT_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        return visible

    def _edit(self, params: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        with self._changed:
            message = self._state.messages.get(key)
            if message is None:
                raise ApiError(400, "Bad Request: message to edit not found")
            updated = {**message, **changes}
            if updated.get("reply_markup") is None:
                updated.pop("reply_markup", None)
            if updated == message:
                raise ApiError(
                    400,
                    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
                    "the same as a current content and reply markup of the message",
                )
            updated["edit_date"] = int(time.time())
            self._state.messages[key] = updated
            return updated

    def _message(self, user: FakeUser, body: dict[str, Any], chat_id: int | None) -> int:
        with self._changed:
            message = self._new_message(chat_id or user.id, user.json())
            message.update(body)
            self._state.messages[(message["chat"]["id"], message["message_id"])] = message
        return self.push({"message": message})

    def _new_message(self, chat_id: int, sender: dict[str, Any]) -> dict[str, Any]:
        message_id = self._state.next_message_id.get(chat_id, 1)
        self._state.next_message_id[chat_id] = message_id + 1
        chat: dict[str, Any] = {"id": chat_id, "type": "private", "first_name": "User"}
        if chat_id < 0:
            chat = {"id": chat_id, "type": "supergroup", "title": "Agents"}
        return {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": sender}


def _check_buttons(params: dict[str, Any]) -> None:
    """Telegram refuses the whole message if one button carries more than 64 bytes."""
    for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            if len(str(button.get("callback_data", "")).encode()) > CALLBACK_DATA_LIMIT:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


def _decode(params: dict[str, list[str]]) -> dict[str, Any]:
    decoded: dict[str, Any] = {}
    for key, values in params.items():
        value: Any = values[-1]
        number = key in _NUMBER_FIELDS and re.fullmatch(r"-?\d+(\.\d+)?", value)
        if key in _JSON_FIELDS or key in _BOOL_FIELDS or number:
            value = json.loads(value)
        decoded[key] = value
    return decoded


def _handler_for(api: FakeBotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests read the recorded calls instead."""

        def do_POST(self) -> None:
            prefix = f"/bot{api.token}/"
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            if not self.path.startswith(prefix):
                self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                return
            content_type = self.headers.get("Content-Type", "")
            if content_type.startswith("application/json"):
                params = json.loads(body or "{}")
            elif content_type.startswith("multipart/"):
                self._reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: uploads are not faked"})
                return
            else:
                params = _decode(parse_qs(body, keep_blank_values=True))
            try:
                result = api.call(self.path[len(prefix) :].split("?")[0], params)
            except ApiError as error:
                payload: dict[str, Any] = {"ok": False, "error_code": error.code, "description": error.description}
                if error.retry_after is not None:
                    payload["parameters"] = {"retry_after": error.retry_after}
                self._reply(error.code, payload)
                return
            self._reply(200, {"ok": True, "result": result})

        def do_GET(self) -> None:
            prefix, path = f"/file/bot{api.token}/", unquote(self.path)
            data = api.download(path[len(prefix) :]) if path.startswith(prefix) else None
            time.sleep(api.download_seconds)
            if data is None:
                self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _reply(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the bot gave up on a long poll while stopping

    return Handler
