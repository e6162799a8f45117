"""Fault scenario: users on Telegram and Slack while both platforms fail calls, and one kill -9 of the product.

Run `python -m benchmarks.faults_scenario [--users 50] [--seed 9] [--appealdesk PATH]`. A real
`appealdesk run` (PATH, by default this checkout's) polls the fake Telegram Bot API and takes Slack
events over signed HTTP, answering through the fake Slack Web API; both fakes answer a seeded share
of the bot's sends with 429 (retry after 1 s) and 502. Half the users are on Telegram, half on Slack.
Each says hello, asks a rule question, asks a person a question, asks for their status and starts an
appeal; the agents (another process, through the core's ticket service) claim, note and answer every
question, some at more than one Telegram message. Once 40% of the users' steps are done the product
is killed with SIGKILL and started again. Prints the users, the messages expected and delivered,
duplicates, how late users' notifications were, and how long delivery took to resume after the kill.

Faults are seeded per call: the n-th identical call fails the same way in every run, whatever the
timing. The one kind of repeat that at-least-once delivery allows, a message sent just before the
kill but not yet recorded as sent, is counted apart from duplicates.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks.processes import Product, free_port, load_average, moment, percentile, small_knowledge  # noqa: E402
from benchmarks.slack_events import SENDS as SLACK_SENDS  # noqa: E402
from benchmarks.slack_events import content, dm_event, post_event  # noqa: E402
from tests.fakes.slack_web_api import Failure, FakeSlack  # noqa: E402
from tests.fakes.telegram_bot_api import ApiError, FakeBotApi, FakeUser  # noqa: E402

AGENTS_CHAT = -1001234567890
AGENTS_CHANNEL = "CAGENTS"
SLACK_TOKEN = "xoxb-faults-token"
SLACK_SECRET = "faults-signing-secret"
TELEGRAM_SENDS = ("sendMessage", "editMessageText", "answerCallbackQuery")
STEP_WAIT_SECONDS = 15.0
KILL_AT_SHARE = 0.4
TIMEOUT_SECONDS = 6.0  # python-telegram-bot reads for 5 s
USER_KINDS = ("user", "reply")
ANSWER = "Answer for AD-"  # how the agents' answers begin (faults_agents.py)


@dataclass
class Faults:
    """Seeded bad moments: whether a call fails depends on the seed, the call and how often it was made."""

    seed: int
    rate_429: float
    rate_502: float
    rate_timeout: float = 0.0  # Telegram sends left hanging past the bot's read timeout, then never delivered
    _seen: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    injected: Counter[str] = field(default_factory=Counter)

    def pick(self, method: str, params: dict[str, Any]) -> str | None:
        where = params.get("chat_id") or params.get("channel")
        key = json.dumps([method, where, params.get("text"), params.get("message_id") or params.get("ts")], default=str)
        with self._lock:
            occurrence = self._seen[key]
            self._seen[key] += 1
        digest = hashlib.sha256(f"{self.seed}|{key}|{occurrence}".encode()).digest()
        draw = int.from_bytes(digest[:8], "big") / 2**64
        fault, upto = None, 0.0
        for name, rate in (("429", self.rate_429), ("502", self.rate_502), ("timeout", self.rate_timeout)):
            upto += rate
            if draw < upto:
                fault = name
                break
        if fault is not None:
            with self._lock:
                self.injected[fault] += 1
        return fault

    def telegram(self, method: str, params: dict[str, Any]) -> ApiError | None:
        fault = self.pick(method, params) if method in TELEGRAM_SENDS else None
        if fault == "429":
            return ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        if fault == "timeout":
            time.sleep(TIMEOUT_SECONDS)  # the fake's own thread: the bot has given up by now
            return ApiError(504, "Gateway Timeout")
        return ApiError(502, "Bad Gateway") if fault == "502" else None

    def slack(self, method: str, params: dict[str, Any]) -> Failure | None:
        fault = self.pick(method, params) if method in SLACK_SENDS else None
        fault = "502" if fault == "timeout" else fault  # Slack's client waits 30 s: too long for a run
        if fault == "429":
            return Failure("ratelimited", 429, {"Retry-After": "1"})
        return Failure("bad_gateway", 502) if fault == "502" else None


@dataclass
class Figures:
    users: int
    updates: int
    expected: int
    delivered: int
    unanswered_updates: int
    answers_received: int
    duplicates: int
    resent_after_kill: int
    unrecorded_seconds: float
    notification_late_max: float
    notification_late_p99: float
    reply_late_p99: float
    resume_seconds: float
    group_backlog: int
    faults: dict[str, int]
    elapsed: float
    preparing: float

    def lines(self) -> list[str]:
        return [
            f"users: {self.users} ({self.updates} updates, faults injected: {dict(self.faults)})",
            f"user messages expected: {self.expected}, delivered: {self.delivered}, "
            f"updates left unanswered: {self.unanswered_updates}, users who got the agents' answer: "
            f"{self.answers_received}",
            f"duplicates: {self.duplicates}; sent before the kill, not yet recorded, so sent again after it "
            f"(at least once): {self.resent_after_kill}, sent at most {self.unrecorded_seconds:.2f} s before the kill",
            f"user notifications late: max {self.notification_late_max:.2f} s, p99 {self.notification_late_p99:.2f} s "
            f"(outside the outage); replies p99 {self.reply_late_p99:.2f} s",
            f"delivery resumed {self.resume_seconds:.2f} s after the kill (restart included)",
            f"agents' card updates still waiting behind their rate limits at the end: {self.group_backlog}",
            f"wall time: {self.elapsed:.1f} s from the product's start ({self.preparing:.1f} s preparing the database)",
        ]


@dataclass
class Repeat:
    """A message a chat received again: what (channel:chat:text), when first and again (perf_counter),
    and the kill between them that explains it (at least once), or None: a duplicate."""

    what: str
    first_at: float
    again_at: float
    kill: float | None


class Scenario:
    """The users' scripts and the figures; `faults` (one kill by default) and `settle` are what a suite changes."""

    agents_seconds = 150.0

    def __init__(self, users: int, seed: int, appealdesk: Path, database_url: str, workdir: Path) -> None:
        self.users = users
        self.faults = Faults(seed, rate_429=0.2, rate_502=0.1)
        self.appealdesk = appealdesk
        self.database_url = database_url
        self.workdir = workdir
        self.telegram = FakeBotApi()
        self.slack = FakeSlack(SLACK_TOKEN)
        self.port = free_port()
        self.steps_done = 0
        self.steps_total = 0
        self.updates = 0
        self.killed_at: float | None = None  # perf_counter, as the fakes' calls (the last kill's)
        self.killed_wall: datetime | None = None
        self.restarted_at: float | None = None
        self.restarts: list[tuple[float, float]] = []  # (killed, restarted) of every kill
        self.telegram_steps: Callable[[int], list[str]] = telegram_steps
        self.slack_steps: Callable[[int], list[str]] = slack_steps
        self.ready_wall: datetime | None = None
        self._event_ids = itertools.count(1)
        self.database = create_engine(database_url, pool_pre_ping=True)  # a suite may cut its connections

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "APPEALDESK_DATABASE_URL": self.database_url,
            "APPEALDESK_EVIDENCE_DIR": str(self.workdir / "evidence"),
            "APPEALDESK_KNOWLEDGE_DIR": str(small_knowledge(self.workdir / "knowledge")),
            "APPEALDESK_HTTP_PORT": str(self.port),
            "APPEALDESK_OUTBOX_POLL_SECONDS": "0.2",
            "APPEALDESK_TELEGRAM_TOKEN": self.telegram.token,
            "APPEALDESK_TELEGRAM_API_URL": self.telegram.url,
            "APPEALDESK_TELEGRAM_AGENTS_CHAT": str(AGENTS_CHAT),
            "APPEALDESK_TELEGRAM_AGENTS": "900",
            "APPEALDESK_SLACK_BOT_TOKEN": SLACK_TOKEN,
            "APPEALDESK_SLACK_SIGNING_SECRET": SLACK_SECRET,
            "APPEALDESK_SLACK_API_URL": self.slack.api_url,
            "APPEALDESK_SLACK_AGENTS_CHANNEL": AGENTS_CHANNEL,
            "APPEALDESK_SLACK_AGENTS": "UAGENT",
        }

    async def run(self) -> Figures:
        started = time.perf_counter()
        self.telegram.start()
        await self.slack.start()
        self.telegram.faults = self.faults.telegram
        self.slack.faults = self.faults.slack
        product = Product(self.appealdesk, self.env(), self.workdir / "appealdesk-run.log")
        try:
            agents = await asyncio.to_thread(product.agents, self.users, self.agents_seconds)
            prepared = time.perf_counter()
            product.start()
            await self._wait_until_ready(since=0)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}", timeout=10) as http:
                telegram_users = [FakeUser(20_000 + n, f"User {n}") for n in range(self.users - self.users // 2)]
                slack_users = [f"U{n:05d}" for n in range(self.users // 2)]
                scripts = [self._telegram_user(user, n) for n, user in enumerate(telegram_users)]
                scripts += [self._slack_user(http, user, n) for n, user in enumerate(slack_users)]
                self.steps_total = sum(len(self.telegram_steps(n)) for n in range(len(telegram_users)))
                self.steps_total += sum(len(self.slack_steps(n)) for n in range(len(slack_users)))
                await asyncio.gather(self.faults_during(product), *scripts)
            await asyncio.to_thread(agents.wait, self.agents_seconds)
            await self._wait_for_user_messages(seconds=60)
            await self.settle()
            return self._figures(time.perf_counter() - prepared, prepared - started)
        finally:
            product.stop()
            self.telegram.stop()
            await self.slack.stop()
            self.database.dispose()

    # ---- the users -----------------------------------------------------------------------------------

    async def _telegram_user(self, user: FakeUser, number: int) -> None:
        for step in self.telegram_steps(number):
            mark = self.telegram.call_count()
            self.telegram.text(user, step)
            self.updates += 1
            await self._until(partial(self._telegram_answered, user.id, mark))
            self.steps_done += 1

    def _telegram_answered(self, chat_id: int, since: int) -> bool:
        return any(
            call.error is None and call.method in ("sendMessage", "editMessageText")
            for call in self.telegram.calls(chat_id=chat_id, since=since)
        )

    async def _slack_user(self, http: httpx.AsyncClient, user: str, number: int) -> None:
        for step in self.slack_steps(number):
            mark = len(self.slack.calls)
            await self._slack_event(http, user, step)
            self.updates += 1
            await self._until(partial(self._slack_answered, "D" + user, mark))
            self.steps_done += 1

    def _slack_answered(self, channel: str, since: int) -> bool:
        return any(
            call.error is None and call.method in SLACK_SENDS and call.params.get("channel") == channel
            for call in self.slack.calls[since:]
        )

    async def _slack_event(self, http: httpx.AsyncClient, user: str, words: str) -> None:
        await post_event(http, SLACK_SECRET, dm_event(next(self._event_ids), user, words))

    async def _until(self, check: Callable[[], bool], seconds: float = STEP_WAIT_SECONDS, every: float = 0.05) -> None:
        deadline = time.monotonic() + seconds
        while not check() and time.monotonic() < deadline:
            await asyncio.sleep(every)

    # ---- the kill ------------------------------------------------------------------------------------

    async def faults_during(self, product: Product) -> None:
        """One kill -9, at 40% of the users' steps."""
        await self._until(lambda: self.steps_done >= KILL_AT_SHARE * self.steps_total, seconds=120)
        await self.restart(product)

    async def settle(self) -> None:
        """What a suite waits for once every message is out, while the product still runs."""

    async def restart(self, product: Product) -> None:
        """kill -9, and the product started again once the dying process's connections are closed."""
        self.killed_at, self.killed_wall = time.perf_counter(), datetime.now(UTC)
        # The fakes go on serving meanwhile: what the dying process sent is recorded before the restart.
        await asyncio.to_thread(product.kill)
        await self._until(lambda: self.slack.open_connections() == 0, seconds=5)
        self.restarted_at = time.perf_counter()  # every call before this one is the killed process's
        self.restarts.append((self.killed_at, self.restarted_at))
        mark = self.telegram.call_count()
        product.start()
        await self._wait_until_ready(since=mark)

    async def _wait_until_ready(self, since: int) -> None:
        await self._until(lambda: len(self.telegram.calls("getUpdates", since=since)) > 0, seconds=90)
        self.ready_wall = datetime.now(UTC)

    async def _wait_for_user_messages(self, seconds: float) -> None:
        await self._until(lambda: self._pending_for_users() == 0, seconds=seconds, every=0.5)

    # ---- the figures ---------------------------------------------------------------------------------

    def _rows(self) -> list[dict[str, Any]]:
        """The outbox, read with plain SQL: the columns every version of the product has."""
        with self.database.connect() as connection:
            query = text("SELECT kind, channel, chat_id, status, created_at, sent_at FROM outbox")
            return [dict(row._mapping) for row in connection.execute(query)]

    def _pending_for_users(self) -> int:
        return sum(1 for row in self._rows() if row["kind"] in USER_KINDS and row["status"] != "sent")

    def _handled_updates(self) -> int:
        with self.database.connect() as connection:
            return int(connection.execute(text("SELECT COUNT(*) FROM processed_updates")).scalar_one())

    def _figures(self, elapsed: float, preparing: float) -> Figures:
        rows = self._rows()
        for_users = [row for row in rows if row["kind"] in USER_KINDS]
        duplicates, resent, unrecorded = self._repeats()
        outage = (self.killed_wall, self.ready_wall)
        notifications = [late(row) for row in for_users if row["kind"] == "user" and not during(row, outage)]
        replies = [late(row) for row in for_users if row["kind"] == "reply" and not during(row, outage)]
        return Figures(
            users=self.users,
            updates=self.updates,
            expected=len(for_users),
            delivered=sum(1 for row in for_users if row["status"] == "sent"),
            unanswered_updates=self.updates - self._handled_updates(),
            answers_received=len({what.split(":")[1] for what, _ in self._sent_to_users() if ANSWER in what}),
            duplicates=duplicates,
            resent_after_kill=resent,
            unrecorded_seconds=unrecorded,
            notification_late_max=max(notifications, default=0.0),
            notification_late_p99=percentile(notifications, 0.99),
            reply_late_p99=percentile(replies, 0.99),
            resume_seconds=self._resumed() - (self.killed_at or 0.0),
            group_backlog=sum(1 for row in rows if row["kind"] == "ticket_card" and row["status"] == "pending"),
            faults=dict(self.faults.injected),
            elapsed=elapsed,
            preparing=preparing,
        )

    def _sent_to_users(self) -> Iterator[tuple[str, float]]:
        """(what, when) of each message a user's chat received: Telegram parts, Slack messages."""
        for call in self.telegram.calls("sendMessage"):
            if call.error is None and (call.chat_id or 0) > 0:
                yield f"telegram:{call.chat_id}:{call.text}", call.at
        for call in self.slack.calls:
            channel = str(call.params.get("channel", ""))
            if call.error is None and call.method == "chat.postMessage" and channel.startswith("D"):
                yield f"slack:{channel}:{content(call.params)}", call.at

    def _repeats(self) -> tuple[int, int, float]:
        """Messages a chat received more than once: duplicates, and those sent again across the kill.

        A message the killed process sent (a call before the restart) but had not yet recorded as
        sent is sent again by the next one (delivery is at least once); returns how many, and how
        long before the kill the earliest of them first went out. Any other repeat is a duplicate.
        """
        repeats = self.repeats()
        duplicates = sum(1 for repeat in repeats if repeat.kill is None)
        resent = [repeat.kill - repeat.first_at for repeat in repeats if repeat.kill is not None]
        return duplicates, len(resent), max(resent, default=0.0)

    def repeats(self) -> list[Repeat]:
        """Every message a chat received again, with the kill that explains it, if one does."""
        first_at: dict[str, float] = {}
        found = []
        for what, at in sorted(self._sent_to_users(), key=lambda item: item[1]):
            if what not in first_at:
                first_at[what] = at
                continue
            # the kill that ended the process which first sent it, if the repeat came after its restart
            window = next(((k, r) for k, r in self.restarts if first_at[what] <= r), None)
            kill = window[0] if window is not None and window[1] < at else None
            found.append(Repeat(what, first_at[what], at, kill))
        return found

    def _resumed(self) -> float:
        """When the restarted product first got a message through to anyone."""
        after = self.restarted_at or 0.0
        times = [call.at for call in self.telegram.calls("sendMessage") if call.error is None and call.at > after]
        times += [call.at for call in self.slack.calls if call.error is None and call.method in SLACK_SENDS]
        return min((at for at in times if at > after), default=float("nan"))


def telegram_steps(number: int) -> list[str]:
    return [
        "/start",
        "is a VPN allowed?",
        f"/human May I invoice a client through my own company? (user {number})",
        "/status",
        "/appeal",
        f"user_{number}_dev",
    ]


def slack_steps(number: int) -> list[str]:
    return [
        "hi",
        "is a VPN allowed?",
        "human",
        f"May I invoice a client through my own company? (user {number})",
        "status",
        "appeal",
        f"user_{number}_dev",
    ]


def late(row: dict[str, Any]) -> float:
    if row["sent_at"] is None:
        return float("inf")
    return (moment(row["sent_at"]) - moment(row["created_at"])).total_seconds()


def during(row: dict[str, Any], outage: tuple[datetime | None, datetime | None]) -> bool:
    """Whether the row waited through the outage (queued before the restart, not sent before the kill)."""
    killed, ready = outage
    if killed is None or ready is None:
        return False
    return moment(row["created_at"]) <= ready and (row["sent_at"] is None or moment(row["sent_at"]) >= killed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--database", help="an empty database's URL (default: a fresh SQLite file)")
    parser.add_argument(
        "--appealdesk",
        type=Path,
        default=Path(sys.executable).parent / "appealdesk",
        help="the appealdesk executable under test (its venv's python runs the agents)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        url = args.database or f"sqlite:///{workdir / 'faults.db'}"
        figures = asyncio.run(Scenario(args.users, args.seed, args.appealdesk, url, workdir).run())
    print("\n".join(figures.lines()))
    print(f"(load average {load_average()})")


if __name__ == "__main__":
    main()
