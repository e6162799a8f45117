"""The platform's end of the decision webhook, on 127.0.0.1: checks each call's signature as
docs/decision-webhook.md tells a platform to, and answers with the next scripted status.

Independent of the desk: it knows the signature scheme (`decision_webhook.verify`) and nothing else.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bot.core.decision_webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

SECRET = "shared-secret-for-tests-only"


@dataclass
class Call:
    headers: dict[str, str]
    body: bytes
    verified: bool

    @property
    def payload(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class Receiver:
    """What the platform was sent; a call that fails the check is answered 401, the others with the
    next of `statuses` (200 once the script is used up)."""

    url: str = ""
    secret: str = SECRET
    statuses: list[int] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        signed = headers.get(SIGNATURE_HEADER, "")
        verified = verify(self.secret, body, headers.get(TIMESTAMP_HEADER, ""), signed, now=time.time())
        self.calls.append(Call(headers, body, verified))
        if not verified:
            return 401
        return self.statuses.pop(0) if self.statuses else 200

    @property
    def accepted(self) -> list[Call]:
        return [call for call in self.calls if call.verified]


@contextmanager
def receiving(secret: str = SECRET) -> Iterator[Receiver]:
    """A receiver listening on a free local port for as long as the block lasts."""
    platform = Receiver(secret=secret)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = platform.answer(dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads the calls, not the server's log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    platform.url = f"http://127.0.0.1:{server.server_port}/appealdesk/decisions"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield platform
    finally:
        server.shutdown()
        server.server_close()
