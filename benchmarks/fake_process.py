"""The fake Telegram Bot API and the fake Slack Web API (tests/fakes), each in a process of its own, driven over a pipe.

The load benchmark must not share a core with the platforms it measures against: each fake answers
every `appealdesk run` from its own process, and the benchmark asks it, by message, for new updates
(Telegram) and for the calls it answered (times are `perf_counter`, the system's monotonic clock, the
same in every process).
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from benchmarks.slack_events import content
from tests.fakes.slack_web_api import FakeSlack
from tests.fakes.telegram_bot_api import FakeBotApi, FakeUser

# (method, chat, what it showed, when, whether it succeeded) of each call a fake answered
CallRow = tuple[str, int | str | None, str, float, bool]


def _serve_telegram(pipe: Connection) -> None:
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


def _serve_slack(pipe: Connection, token: str) -> None:
    asyncio.run(_slack(pipe, token))


async def _slack(pipe: Connection, token: str) -> None:
    slack = FakeSlack(token)
    await slack.start()
    pipe.send((slack.api_url, token))
    try:  # the pipe is read in a thread, so the fake's event loop goes on answering meanwhile
        while (since := await asyncio.to_thread(pipe.recv)) is not None:
            calls = slack.calls[since:]
            pipe.send([(c.method, c.params.get("channel"), content(c.params), c.at, c.error is None) for c in calls])
    finally:
        await slack.stop()


class FakeProcess:
    """A fake in its own process: `url` and `token` are what the products are given."""

    def __init__(self, target: Callable[..., None], *args: Any) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self._process = context.Process(target=target, args=(child, *args), daemon=True)
        self._process.start()
        self.url, self.token = self._pipe.recv()

    def ask(self, request: Any) -> Any:
        self._pipe.send(request)
        return self._pipe.recv()

    def stop(self) -> None:
        self._pipe.send(None)
        self._process.join(timeout=10)


class TelegramProcess(FakeProcess):
    """The fake Bot API; `text` makes an update as the user's message, for a webhook."""

    def __init__(self) -> None:
        super().__init__(_serve_telegram)

    def text(self, user_id: int, name: str, words: str) -> dict[str, Any]:
        update: dict[str, Any] = self.ask(("text", user_id, name, words))
        return update

    def calls(self) -> list[CallRow]:
        rows: list[CallRow] = self.ask(("calls",))
        return rows


class SlackProcess(FakeProcess):
    """The fake Slack Web API (`url` is its API address); `calls(since)` are the calls after the first `since`."""

    def __init__(self, token: str) -> None:
        super().__init__(_serve_slack, token)

    def calls(self, since: int = 0) -> list[CallRow]:
        rows: list[CallRow] = self.ask(since)
        return rows
