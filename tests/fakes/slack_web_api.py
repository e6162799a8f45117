"""A fake Slack Web API on 127.0.0.1: checks each call against Slack's limits and records it.

With an app token it also speaks Socket Mode: `apps.connections.open` hands out a WebSocket URL on
the same server, and `send_envelope` pushes an event to the connected app, which must acknowledge it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

MAX_BLOCKS = {"message": 50, "modal": 100, "home": 100}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.perf_counter)
    error: str | None = None  # what Slack answered instead of ok
    peer: tuple[str, int] | None = None  # the client's address and port: calls on one connection share it


@dataclass
class Failure:
    error: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    channel: str | None = None  # only calls to this channel fail
    after: int = 0  # matching calls that still go through first


class FakeSlack:
    def __init__(self, token: str, app_token: str | None = None) -> None:
        self.token = token
        self.app_token = app_token
        self.sockets: list[web.WebSocketResponse] = []
        self.acknowledged: list[str] = []
        self._envelopes = itertools.count(1)
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.failures: dict[str, list[Failure]] = {}
        self.delays: dict[str, float] = {}
        # decides, call by call, whether Slack has a bad moment (a 429, a 5xx) for this call
        self.faults: Callable[[str, dict[str, Any]], Failure | None] | None = None
        self.files: dict[str, tuple[dict[str, Any], bytes]] = {}
        self.downloads: list[str] = []
        self.names: dict[str, str] = {}  # display names by user id; "Name <id>" otherwise
        self.locales: dict[str, str] = {}  # users.info answers with a locale only when asked for it
        self._ts = itertools.count(100)
        self._runner: web.AppRunner | None = None
        self.root = ""

    @property
    def api_url(self) -> str:
        return self.root + "/api/"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/files/{file_id}", self._download)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.root = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        for sock in self.sockets:
            await sock.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- scripting and reading ---------------------------------------------------------------------

    def fail(
        self,
        method: str,
        error: str,
        status: int = 200,
        headers: dict[str, str] | None = None,
        channel: str | None = None,
        after: int = 0,
    ) -> None:
        """The next call of `method` (to `channel`, if given) fails, once `after` such calls went through."""
        self.failures.setdefault(method, []).append(Failure(error, status, headers or {}, channel, after))

    def slow(self, channel: str, seconds: float) -> None:
        """Every call to `channel` takes this long to answer, like a busy channel behind Slack's limits."""
        self.delays[channel] = seconds

    def open_connections(self) -> int:
        """Connections still open to the fake: none once a killed client's last requests are handled."""
        return len(self._runner.server.connections) if self._runner and self._runner.server else 0

    def calls_to(self, channel: str, since: int = 0) -> list[Call]:
        return [call for call in self.calls[since:] if call.params.get("channel") == channel]

    def add_file(self, file_id: str, name: str, mimetype: str, content: bytes) -> None:
        info = {
            "id": file_id,
            "name": name,
            "mimetype": mimetype,
            "size": len(content),
            "url_private": f"{self.root}/files/{file_id}",
            "url_private_download": f"{self.root}/files/{file_id}",
        }
        self.files[file_id] = (info, content)

    def to(self, method: str, **match: Any) -> list[dict[str, Any]]:
        return [
            call.params
            for call in self.calls
            if call.method == method and all(call.params.get(k) == v for k, v in match.items())
        ]

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Posted and updated messages in a channel, oldest first (thread replies included)."""
        return [
            call.params
            for call in self.calls
            if call.method in ("chat.postMessage", "chat.update") and call.params.get("channel") == channel
        ]

    def everything_sent(self) -> str:
        return json.dumps([call.params for call in self.calls if call.method != "files.info"])

    # ---- the API ---------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(dict(await request.post()))
        for key in ("blocks", "view"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        token = self.app_token if method == "apps.connections.open" else self.token
        if request.headers.get("Authorization") != f"Bearer {token}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        peername = request.transport.get_extra_info("peername") if request.transport else None
        call = Call(method, params, peer=(str(peername[0]), int(peername[1])) if peername else None)
        self.calls.append(call)
        self._check(method, params)
        await asyncio.sleep(self.delays.get(str(params.get("channel")), 0.0))
        failure = next((f for f in self.failures.get(method, []) if f.channel in (None, params.get("channel"))), None)
        if failure is not None and failure.after > 0:
            failure.after -= 1
            failure = None
        elif failure is not None:
            self.failures[method].remove(failure)
        else:
            failure = self.faults(method, params) if self.faults is not None else None
        if failure is not None:
            call.error = failure.error
            return web.json_response(
                {"ok": False, "error": failure.error}, status=failure.status, headers=failure.headers
            )
        return web.json_response({"ok": True, **self._answer(method, params)})

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "apps.connections.open":
            return {"url": self.root.replace("http://", "ws://") + "/socket"}
        if method == "auth.test":
            return {"user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1", "user": "appealdesk", "team": "Test"}
        if method in ("chat.postMessage", "chat.update"):
            ts = params.get("ts") or f"1700000000.{next(self._ts):06d}"
            return {"channel": params["channel"], "ts": ts, "message": {"text": params.get("text")}}
        if method == "chat.postEphemeral":
            return {"message_ts": f"1700000000.{next(self._ts):06d}"}
        if method == "conversations.open":
            return {"channel": {"id": "D" + str(params["users"])}}
        if method == "users.info":
            user = str(params["user"])
            name = self.names.get(user, f"Name {user}")
            found: dict[str, Any] = {"id": user, "name": user.lower(), "profile": {"display_name": name}}
            if str(params.get("include_locale")).lower() in ("1", "true") and user in self.locales:
                found["locale"] = self.locales[user]
            return {"user": found}
        if method == "files.info":
            return {"file": self.files[str(params["file"])][0]}
        if method in ("views.open", "views.publish"):
            return {"view": {"id": "V1", **params.get("view", {})}}
        return {}

    def _check(self, method: str, params: dict[str, Any]) -> None:
        """Slack's limits, as far as the adapter is responsible for them."""
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            if not params.get("channel") or not (params.get("text") or params.get("blocks")):
                self.violations.append(f"{method} without channel or content")
            self._check_blocks(method, params.get("blocks") or [], "message")
        if method == "chat.update" and not params.get("ts"):
            self.violations.append("chat.update without ts")
        if method == "views.open" and not params.get("trigger_id"):
            self.violations.append("views.open without trigger_id")
        if method in ("views.open", "views.publish"):
            view = params.get("view") or {}
            if view.get("type") == "modal" and len(view.get("title", {}).get("text", "")) > 24:
                self.violations.append("modal title over 24 characters")
            self._check_blocks(method, view.get("blocks") or [], view.get("type", "modal"))

    def _check_blocks(self, method: str, blocks: list[dict[str, Any]], surface: str) -> None:
        if len(blocks) > MAX_BLOCKS[surface]:
            self.violations.append(f"{method}: {len(blocks)} blocks")
        for block in blocks:
            if block.get("type") == "section" and len(block["text"]["text"]) > 3000:
                self.violations.append(f"{method}: section of {len(block['text']['text'])} characters")
            for element in block.get("elements") or []:
                if element.get("type") != "button":
                    continue
                if len(element["text"]["text"]) > 75 or len(element.get("value", "")) > 2000:
                    self.violations.append(f"{method}: button too long")
                if len(element["action_id"]) > 255:
                    self.violations.append(f"{method}: action_id too long")
            ids = [element.get("action_id") for element in block.get("elements") or []]
            if len(ids) != len(set(ids)):
                self.violations.append(f"{method}: duplicate action ids in a block")

    # ---- Socket Mode ---------------------------------------------------------------------------------

    async def send_envelope(self, kind: str, payload: dict[str, Any]) -> str:
        """Pushes an `events_api` or `interactive` envelope to the connected app; returns its id."""
        envelope_id = f"env-{next(self._envelopes)}"
        message = {"envelope_id": envelope_id, "type": kind, "accepts_response_payload": False, "payload": payload}
        await self.sockets[-1].send_json(message)
        return envelope_id

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        sock = web.WebSocketResponse()  # answers the client's pings itself
        await sock.prepare(request)
        self.sockets.append(sock)
        await sock.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}})
        async for message in sock:
            if message.type == web.WSMsgType.TEXT:
                envelope_id = json.loads(message.data).get("envelope_id")
                if envelope_id:
                    self.acknowledged.append(str(envelope_id))
        return sock

    async def _download(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.Response(status=403)
        file_id = request.match_info["file_id"]
        self.downloads.append(file_id)
        info, content = self.files[file_id]
        return web.Response(body=content, content_type=info["mimetype"])
