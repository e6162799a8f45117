"""Load: N freelancers on Telegram and Slack against 1, 2, 4... `appealdesk run` processes sharing one PostgreSQL.

Run `python -m benchmarks.load --users 100 --workers 1,2,4 [--slack-share 0.5] [--postgres URL] [--role split]
[--profile]`. The fake Telegram Bot API and the fake Slack Web API each run in a process of their own
(benchmarks/fake_process.py). Each worker count gets a fresh database, created and dropped here. A share
of the users (half by default) is on Slack, the rest on Telegram. Each user says hello, asks a rule
question, asks a person a question and asks for their status, then starts an appeal and answers its first
question. Their updates reach the products spread by user, as a load balancer would: Telegram's as
webhooks (answered once handled), Slack's as signed events to `/slack/events` (answered once kept; the
user waits for the app's answer before the next step). The agents (another process,
benchmarks/faults_agents.py) answer each question through the core's ticket service, as the CLI does.
`--role split` runs one `--role web` process and N `--role worker` processes instead of N `--role all`.
`--profile` runs the first product under pyinstrument (benchmarks/profiled.py), written to
var/profile-N-{threads,loop}.{html,txt}.

Prints per worker count and channel (and for both together): updates/s, p50/p99 from an update's
arrival to the first reply, p50/p99 from an agent's action to the user's notification, messages expected
vs delivered, duplicates and lost updates; and per worker count the peak RSS per process and the scaling
ratio against the first count. Exits 1 if any message is lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import create_engine, make_url, text  # noqa: E402

from benchmarks.fake_process import SlackProcess, TelegramProcess  # noqa: E402
from benchmarks.faults_scenario import slack_steps, telegram_steps  # noqa: E402
from benchmarks.load_figures import Arrival, Figures, channel_figures, cpu_seconds, peak_rss_mb, table  # noqa: E402
from benchmarks.processes import Product, free_port, load_average, small_knowledge  # noqa: E402
from benchmarks.slack_events import SENDS as SLACK_SENDS  # noqa: E402
from benchmarks.slack_events import dm_event, post_event  # noqa: E402

SECRET = "load-webhook-secret"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SLACK_TOKEN = "xoxb-load-token"
SLACK_SECRET = "load-signing-secret"
TELEGRAM_SENDS = ("sendMessage", "editMessageText")
USER_KINDS = ("user", "reply")
FIRST_USER = 30_000
REPLY_WAIT_SECONDS = 120.0  # a Slack user's wait for the app's answer, on a busy machine


class SlackWatch:
    """The fake Slack's calls as they come (asked for every 20 ms, in a thread): a Slack user waits on it
    for the app's answer, as a person would before typing the next step."""

    def __init__(self, slack: SlackProcess) -> None:
        self.slack = slack
        self.seen = 0
        self.last_send: dict[str, float] = {}  # the latest successful send to each chat
        self.changed = asyncio.Condition()

    async def follow(self) -> None:
        while True:
            calls = await asyncio.to_thread(self.slack.calls, self.seen)
            self.seen += len(calls)
            for method, chat, _content, at, ok in calls:
                if ok and method in SLACK_SENDS:
                    self.last_send[str(chat)] = at
            if calls:
                async with self.changed:
                    self.changed.notify_all()
            await asyncio.sleep(0.02)

    async def answered(self, chat: str, since: float) -> None:
        with contextlib.suppress(TimeoutError):  # counted as a missing reply in the figures
            async with self.changed:
                await asyncio.wait_for(
                    self.changed.wait_for(lambda: self.last_send.get(chat, -1.0) >= since), REPLY_WAIT_SECONDS
                )


class Run:
    """One worker count: its database, its products, its users."""

    def __init__(
        self,
        args: argparse.Namespace,
        processes: int,
        telegram: TelegramProcess,
        slack: SlackProcess | None,
        workdir: Path,
    ) -> None:
        self.args = args
        self.processes = processes
        self.telegram = telegram
        self.slack = slack
        self.workdir = workdir
        self.url = str(make_url(args.postgres).set(database=f"{database_prefix(args.postgres)}_{processes}"))
        self.products: list[Product] = []
        self.ports: list[int] = []
        self.slack_users = round(args.users * args.slack_share) if slack is not None else 0
        self.telegram_users = args.users - self.slack_users
        self.event_numbers = itertools.count(1)

    def env(self, port: int) -> dict[str, str]:
        env = {
            **{name: value for name, value in os.environ.items() if not name.startswith("APPEALDESK_")},
            "APPEALDESK_DATABASE_URL": self.url,
            "APPEALDESK_EVIDENCE_DIR": str(self.workdir / "evidence"),
            "APPEALDESK_KNOWLEDGE_DIR": str(small_knowledge(self.workdir / "knowledge")),
            "APPEALDESK_HTTP_PORT": str(port),
            "APPEALDESK_LOG_LEVEL": "WARNING",
            "APPEALDESK_TELEGRAM_TOKEN": self.telegram.token,
            "APPEALDESK_TELEGRAM_API_URL": self.telegram.url,
            "APPEALDESK_TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
            "APPEALDESK_TELEGRAM_WEBHOOK_SECRET": SECRET,
            "APPEALDESK_TELEGRAM_MESSAGES_PER_SECOND": "0",  # the fake has no flood limits
        }
        if self.slack is not None:
            env |= {
                "APPEALDESK_SLACK_BOT_TOKEN": self.slack.token,
                "APPEALDESK_SLACK_SIGNING_SECRET": SLACK_SECRET,
                "APPEALDESK_SLACK_API_URL": self.slack.url,
            }
        return env

    def roles(self) -> list[list[str]]:
        if self.args.role == "split":
            return [["--role", "web"]] + [["--role", "worker"]] * self.processes
        return [["--role", "all"]] * self.processes

    def product(self, number: int, args: list[str]) -> Product:
        port = free_port()
        wrapper: list[str] = []
        if self.args.profile and number == 0:
            Path("var").mkdir(exist_ok=True)
            python = self.args.appealdesk.parent / "python"
            wrapper = [str(python), str(ROOT / "benchmarks" / "profiled.py"), f"var/profile-{self.processes}"]
        log = self.workdir / f"run-{self.processes}-{number}.log"
        self.ports.append(port)
        return Product(self.args.appealdesk, self.env(port), log, args, wrapper)

    async def go(self) -> list[Figures]:
        create_database(self.url)
        try:
            self.products = [self.product(number, args) for number, args in enumerate(self.roles())]
            agents = await asyncio.to_thread(self.products[0].agents, self.args.users, 600, "--long-every", "0")
            for product in self.products:
                product.start()
            await self.ready()
            cpu_before = sum(cpu_seconds(product) for product in self.products)
            watch = SlackWatch(self.slack) if self.slack is not None else None
            following = asyncio.create_task(watch.follow()) if watch is not None else None
            started = time.perf_counter()
            slack_users = [self.slack_user(number, watch) for number in range(self.slack_users)] if watch else []
            try:
                telegram, slack = await asyncio.gather(
                    self.scripts(self.telegram_user(number) for number in range(self.telegram_users)),
                    self.scripts(slack_users),
                )
            finally:
                if following is not None:
                    following.cancel()
            await asyncio.to_thread(agents.wait, 600)
            await self.settled()
            cpu = sum(cpu_seconds(product) for product in self.products) - cpu_before
            return self.figures(telegram, slack, started, cpu)
        finally:
            for product in self.products:
                product.stop(seconds=300 if product.wrapper else 20)  # a profiler writes its reports then
            drop_database(self.url)

    async def ready(self) -> None:
        async with httpx.AsyncClient(timeout=5) as http:
            for port in self.ports:
                for _ in range(600):
                    try:
                        if (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    await asyncio.sleep(0.2)
                else:
                    raise RuntimeError(f"a product did not get ready; see {self.workdir}")

    def receiver(self, number: int) -> int:
        """The port of the process that takes this user's updates: the web one, or by user."""
        if self.args.role == "split":
            return self.ports[0]
        return self.ports[number % len(self.ports)]

    @staticmethod
    async def scripts(users: Iterable[Any]) -> tuple[list[Arrival], float]:
        """The users' arrivals, and when the last of them was done."""
        started = time.perf_counter()
        arrivals = await asyncio.gather(*users)
        return [arrival for each in arrivals for arrival in each], time.perf_counter() - started

    async def telegram_user(self, number: int) -> list[Arrival]:
        """Each step's (chat, arrival); the webhook answers once the update is handled."""
        user_id = FIRST_USER + number
        arrivals = []
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.receiver(number)}", timeout=300) as http:
            for words in telegram_steps(number):
                update = self.telegram.text(user_id, f"User {number}", words)
                arrivals.append((str(user_id), time.perf_counter()))
                response = await http.post("/telegram/webhook", json=update, headers={SECRET_HEADER: SECRET})
                response.raise_for_status()
        return arrivals

    async def slack_user(self, number: int, watch: SlackWatch) -> list[Arrival]:
        """Each step's (DM channel, arrival); Slack gets its 200 once the event is kept, so the user waits
        for the app's answer."""
        user = f"U{FIRST_USER + number}"
        arrivals = []
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.receiver(number)}", timeout=300) as http:
            for words in slack_steps(number):
                arrival = time.perf_counter()
                arrivals.append(("D" + user, arrival))
                if not await post_event(http, SLACK_SECRET, dm_event(next(self.event_numbers), user, words)):
                    raise RuntimeError(f"/slack/events never answered 200; see {self.workdir}")
                await watch.answered("D" + user, arrival)
        return arrivals

    async def settled(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and any(row["status"] == "pending" for row in self.rows()):
            await asyncio.sleep(0.5)

    def rows(self) -> list[dict[str, Any]]:
        engine = create_engine(self.url)
        try:
            with engine.connect() as connection:
                query = text("SELECT kind, channel, chat_id, status, created_at, sent_at FROM outbox")
                return [dict(row._mapping) for row in connection.execute(query) if row.kind in USER_KINDS]
        finally:
            engine.dispose()

    def handled(self) -> Counter[str]:
        engine = create_engine(self.url)
        try:
            with engine.connect() as connection:
                query = text("SELECT channel, COUNT(*) FROM processed_updates GROUP BY channel")
                return Counter({str(channel): int(count) for channel, count in connection.execute(query)})
        finally:
            engine.dispose()

    def figures(
        self, telegram: tuple[list[Arrival], float], slack: tuple[list[Arrival], float], started: float, cpu: float
    ) -> list[Figures]:
        """From this run's calls only: the fakes serve every worker count, to the same users."""
        rows, handled = self.rows(), self.handled()
        platforms = (
            ("telegram", self.telegram, telegram, TELEGRAM_SENDS, "sendMessage"),
            ("slack", self.slack, slack, SLACK_SENDS, "chat.postMessage"),
        )
        parts = [
            channel_figures(
                self.processes,
                name,
                *script,
                [c for c in fake.calls() if c[3] >= started],
                sends,
                new,
                rows,
                handled[name],
            )
            for name, fake, script, sends, new in platforms
            if fake is not None and script[0]
        ]
        peaks = [peak_rss_mb(product) for product in self.products]
        return [*parts, Figures.combined(parts, peaks, cpu)]


def database_prefix(url: str) -> str:
    return f"{make_url(url).database or 'postgres'}_load"


def _admin(url: str) -> Any:
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def create_database(url: str) -> None:
    drop_database(url)
    engine = _admin(url)
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{make_url(url).database}"'))
    engine.dispose()


def drop_database(url: str) -> None:
    engine = _admin(url)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


async def measure(args: argparse.Namespace) -> list[Figures]:
    telegram = await asyncio.to_thread(TelegramProcess)
    slack = await asyncio.to_thread(SlackProcess, SLACK_TOKEN) if args.slack_share > 0 else None
    try:
        figures = []
        for processes in args.workers:
            with tempfile.TemporaryDirectory() as folder:
                figures += await Run(args, processes, telegram, slack, Path(folder)).go()
        return figures
    finally:
        telegram.stop()
        if slack is not None:
            slack.stop()


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--workers", type=lambda value: [int(n) for n in value.split(",")], default=[1, 2, 4])
    parser.add_argument("--slack-share", type=float, default=0.5, help="the share of the users on Slack (0 to 1)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("APPEALDESK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/"),
        help="a server to create the benchmark's databases on (named after this URL's database + _load_N)",
    )
    parser.add_argument("--role", choices=("all", "split"), default="all")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--appealdesk", type=Path, default=Path(sys.executable).parent / "appealdesk")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    print(f"(load average at start {load_average()})")
    figures = asyncio.run(measure(args))
    print("\n".join(table(figures)))
    print(f"(load average at end {load_average()})")
    return 0 if all(each.sound for each in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
