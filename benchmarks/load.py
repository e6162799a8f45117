"""Load: N freelancers on Telegram against 1, 2, 4... `appealdesk run` processes sharing one PostgreSQL.

Run `python -m benchmarks.load --users 100 --workers 1,2,4 [--postgres URL] [--role split] [--profile]`.
The fake Telegram Bot API runs in a process of its own (benchmarks/fake_process.py). Each worker count
gets a fresh database, created and dropped here. Each user says hello, asks a rule question, asks a
person a question and asks for their status, then starts an appeal and answers its first question; the
users' updates reach the products' Telegram webhooks spread by user, as a load balancer would. The
agents (another process, benchmarks/faults_agents.py) answer each question through the core's ticket
service. `--role split` runs one `--role web` process and N `--role worker` processes instead of N
`--role all`. `--profile` runs the first product under pyinstrument, written to var/profile-*.{html,txt}.

Prints per worker count: updates/s, p50/p99 from an update's arrival to the first reply, p50/p99
from an agent's action to the user's notification, peak RSS per process, the scaling ratio against
the first count; and messages expected vs delivered, duplicates and lost updates. Exits 1 if any
message is lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import create_engine, make_url, text  # noqa: E402

from benchmarks.fake_process import TelegramProcess  # noqa: E402
from benchmarks.faults_scenario import telegram_steps  # noqa: E402
from benchmarks.processes import Product, free_port, load_average, moment, percentile, small_knowledge  # noqa: E402

SECRET = "load-webhook-secret"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
USER_KINDS = ("user", "reply")
FIRST_USER = 30_000


@dataclass
class Figures:
    processes: int
    updates: int
    seconds: float
    reply_p50: float
    reply_p99: float
    notified_p50: float
    notified_p99: float
    peak_rss_mb: list[float]
    expected: int
    delivered: int
    duplicates: int
    lost: int

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0


class Run:
    """One worker count: its database, its products, its users."""

    def __init__(self, args: argparse.Namespace, processes: int, telegram: TelegramProcess, workdir: Path) -> None:
        self.args = args
        self.processes = processes
        self.telegram = telegram
        self.workdir = workdir
        self.url = str(make_url(args.postgres).set(database=f"{database_prefix(args.postgres)}_{processes}"))
        self.products: list[Product] = []
        self.ports: list[int] = []

    def env(self, port: int) -> dict[str, str]:
        return {
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

    def roles(self) -> list[list[str]]:
        if self.args.role == "split":
            return [["--role", "web"]] + [["--role", "worker"]] * self.processes
        return [["--role", "all"]] * self.processes

    def product(self, number: int, args: list[str]) -> Product:
        port = free_port()
        appealdesk = self.args.appealdesk
        if self.args.profile and number == 0:
            Path("var").mkdir(exist_ok=True)
            report = Path("var") / f"profile-{self.processes}"
            python = appealdesk.parent / "python"
            # pyinstrument runs the appealdesk script with its arguments; the product stops on SIGTERM, then it writes
            wrapper = self.workdir / "profiled"
            wrapper.write_text(f'#!/bin/sh\nexec {python} -m pyinstrument -r html -o {report}.html {appealdesk} "$@"\n')
            wrapper.chmod(0o755)
            appealdesk = wrapper
        product = Product(appealdesk, self.env(port), self.workdir / f"run-{self.processes}-{number}.log", args)
        self.ports.append(port)
        return product

    async def go(self) -> Figures:
        create_database(self.url)
        try:
            self.products = [self.product(number, args) for number, args in enumerate(self.roles())]
            agents = await asyncio.to_thread(self.products[0].agents, self.args.users, 600, "--long-every", "0")
            for product in self.products:
                product.start()
            await self.ready()
            started = time.perf_counter()
            arrivals = await asyncio.gather(*(self.user(number) for number in range(self.args.users)))
            seconds = time.perf_counter() - started
            await asyncio.to_thread(agents.wait, 600)
            await self.settled()
            return self.figures([arrival for each in arrivals for arrival in each], seconds, started)
        finally:
            for product in self.products:
                product.stop()
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

    async def user(self, number: int) -> list[tuple[int, float]]:
        """Each step's (chat, arrival); the webhook answers once the update is handled."""
        user_id = FIRST_USER + number
        port = self.receiver(number)
        arrivals = []
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=300) as http:  # a busy machine
            for words in [*telegram_steps(number)]:
                update = self.telegram.text(user_id, f"User {number}", words)
                arrivals.append((user_id, time.perf_counter()))
                response = await http.post("/telegram/webhook", json=update, headers={SECRET_HEADER: SECRET})
                response.raise_for_status()
        return arrivals

    async def settled(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and any(row["status"] == "pending" for row in self.rows()):
            await asyncio.sleep(0.5)

    def rows(self) -> list[dict[str, Any]]:
        engine = create_engine(self.url)
        try:
            with engine.connect() as connection:
                query = text("SELECT kind, chat_id, status, created_at, sent_at FROM outbox")
                return [dict(row._mapping) for row in connection.execute(query) if row.kind in USER_KINDS]
        finally:
            engine.dispose()

    def handled(self) -> int:
        engine = create_engine(self.url)
        try:
            with engine.connect() as connection:
                return int(connection.execute(text("SELECT COUNT(*) FROM processed_updates")).scalar_one())
        finally:
            engine.dispose()

    def figures(self, arrivals: list[tuple[int, float]], seconds: float, started: float) -> Figures:
        """From this run's calls only: the fake serves every worker count, to the same users."""
        calls = [
            call
            for call in self.telegram.calls()
            if call[4] and call[0] in ("sendMessage", "editMessageText") and call[3] >= started
        ]
        calls = [call for call in calls if call[1] is not None and call[1] >= FIRST_USER]
        by_chat: dict[int, list[float]] = {}
        for _method, chat, _text, at, _ok in calls:
            by_chat.setdefault(int(chat or 0), []).append(at)
        replies = []
        for chat, arrival in arrivals:
            later = [at for at in by_chat.get(chat, []) if at >= arrival]
            replies.append(min(later) - arrival if later else float("inf"))
        rows = self.rows()
        notified = [
            (moment(row["sent_at"]) - moment(row["created_at"])).total_seconds()
            for row in rows
            if row["kind"] == "user" and row["sent_at"] is not None
        ]
        sent = Counter((chat, body) for method, chat, body, _at, _ok in calls if method == "sendMessage")
        peaks = [peak_rss_mb(product) for product in self.products]
        return Figures(
            processes=self.processes,
            updates=len(arrivals),
            seconds=seconds,
            reply_p50=percentile(replies, 0.5),
            reply_p99=percentile(replies, 0.99),
            notified_p50=percentile(notified, 0.5),
            notified_p99=percentile(notified, 0.99),
            peak_rss_mb=peaks,
            expected=len(rows),
            delivered=sum(1 for row in rows if row["status"] == "sent"),
            duplicates=sum(count - 1 for count in sent.values()),
            lost=len(arrivals) - self.handled(),
        )


def peak_rss_mb(product: Product) -> float:
    """The process's peak resident memory (VmHWM), read while it still runs."""
    if product.process is None:
        return 0.0
    try:
        status = Path(f"/proc/{product.process.pid}/status").read_text()
    except OSError:
        return 0.0
    kilobytes = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)
    return kilobytes / 1024


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


def table(figures: list[Figures]) -> list[str]:
    first = figures[0].rate or 1.0
    lines = [
        "processes  updates/s  update→reply p50/p99 ms  action→notified p50/p99 ms  peak RSS MB per process"
        "  scaling  expected/delivered  duplicates  lost"
    ]
    for each in figures:
        rss = "/".join(f"{value:.0f}" for value in each.peak_rss_mb)
        lines.append(
            f"{each.processes:>9}  {each.rate:>9.1f}  {each.reply_p50 * 1000:>10.0f} / {each.reply_p99 * 1000:<11.0f}"
            f"  {each.notified_p50 * 1000:>12.0f} / {each.notified_p99 * 1000:<13.0f}  {rss:<23}  "
            f"{each.rate / first:>6.2f}x  {each.expected:>8}/{each.delivered:<9}  {each.duplicates:>10}  {each.lost:>4}"
        )
    return lines


async def measure(args: argparse.Namespace) -> list[Figures]:
    telegram = await asyncio.to_thread(TelegramProcess)
    try:
        figures = []
        for processes in args.workers:
            with tempfile.TemporaryDirectory() as folder:
                figures.append(await Run(args, processes, telegram, Path(folder)).go())
        return figures
    finally:
        telegram.stop()


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--workers", type=lambda value: [int(n) for n in value.split(",")], default=[1, 2, 4])
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
    return (
        0 if all(each.duplicates == 0 and each.lost == 0 and each.expected == each.delivered for each in figures) else 1
    )


if __name__ == "__main__":
    sys.exit(main())
