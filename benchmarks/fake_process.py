"""The fake Telegram Bot API (tests/fakes) in a process of its own, driven over a pipe.

The load benchmark must not share a core with the platform it measures against: the fake answers
every `appealdesk run` from this process, and the benchmark asks it, by message, for new updates and,
at the end, for every call it answered (times are `perf_counter`, the system's monotonic clock, the
same in every process).
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from typing import Any

from tests.fakes.telegram_bot_api import FakeBotApi, FakeUser

# (method, chat id, text, when, whether it succeeded) of each call the fake answered
CallRow = tuple[str, int | None, str, float, bool]


def _serve(pipe: Connection) -> None:
    api = FakeBotApi().start()
    pipe.send((api.url, api.token))
    try:
        while (request := pipe.recv()) is not None:
            kind, *values = request
            if kind == "text":
                user_id, name, words = values
                pipe.send(api.update(api.text(FakeUser(user_id, name), words)))
            elif kind == "calls":
                pipe.send([(c.method, c.chat_id, c.text, c.at, c.error is None) for c in api.calls()])
    finally:
        api.stop()


class TelegramProcess:
    """The fake Bot API's own process; `text` makes an update as the user's message, for a webhook."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        self.url, self.token = self._pipe.recv()

    def text(self, user_id: int, name: str, words: str) -> dict[str, Any]:
        self._pipe.send(("text", user_id, name, words))
        update: dict[str, Any] = self._pipe.recv()
        return update

    def calls(self) -> list[CallRow]:
        self._pipe.send(("calls",))
        rows: list[CallRow] = self._pipe.recv()
        return rows

    def pid(self) -> int:
        return int(self._process.pid or 0)

    def stop(self) -> None:
        self._pipe.send(None)
        self._process.join(timeout=10)
