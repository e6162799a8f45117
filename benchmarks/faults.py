"""The fault suite: kill -9 rounds, cut database connections, rate limits, 5xx storms and a timing-out platform.

Run `python -m benchmarks.faults [--rounds 20] [--users 30] [--seed 9] [--postgres URL]`. On a fresh
PostgreSQL database of its own (created beside the one URL names, dropped afterwards), the fault
scenario's users (benchmarks/faults_scenario.py) go on from their questions through a whole typed
appeal intake while:
- the product is killed with SIGKILL `--rounds` times at seeded points of the users' steps, each a
  seeded fraction of a second after the point, at the first moment (within 5 s) when a user waits for
  an answer while a user's message is being sent, and started again;
- `--cuts` times, every connection to the benchmark's database is ended with `pg_terminate_backend`
  (a PostgreSQL restart, as the product sees it, without touching the machine's server);
- both fakes answer 20% of the bot's sends with 429 (retry after 1 s) and 10% with 502, and Telegram
  leaves a share of them hanging past the bot's read timeout, undelivered.
Afterwards it checks and prints: every intake answer was the next question (the conversation went on
where it was), every notification and reply delivered, no duplicates (at-least-once repeats across a
kill counted apart), every user got the agents' answer, every open appeal got its scheduled status
update, no update unanswered, that delivery and the LISTEN connection came back after each cut, and
that every kind of fault was injected. Exits 1 if a check fails. `tests/channels/test_faults.py` runs a
short form of it (4 users, 3 kills, a cut on PostgreSQL) and asserts the same checks.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from benchmarks.faults_scenario import SLACK_SENDS, Faults, Figures, Repeat, Scenario, slack_steps, telegram_steps
from benchmarks.processes import Product, load_average
from bot.core.bell import NOTIFY_CHANNEL
from bot.core.scheduler import STATUS_UPDATE
from bot.store.db import normalise_url

EXPLANATION = "I was travelling in Turkey and used a VPN for my bank. I never hid my location."
# after "/appeal" and the account (the scenario's last two steps), typed as a person without buttons would
INTAKE: tuple[str, ...] = ("permanent", "yesterday", "none", "no reason", "2017", "top", "private", "vpn")
INTAKE += (EXPLANATION, "that's all", "done", "here", "yes", "send")
STEPS = "intake/steps/"
EXPECTED = (
    "intake/start.j2",
    *(STEPS + name + ".j2" for name in ("account", "what_happened", "notice_date", "notice_text", "reason_given")),
    *(STEPS + name + ".j2" for name in ("member_since", "badge", "earnings", "triggers", "explanation")),
    "intake/part_received.j2",
    *(STEPS + name + ".j2" for name in ("evidence", "contact", "consent")),
    "intake/summary.j2",
    "intake/submitted.j2",
)
STATUS_UPDATE_SECONDS = 20
STATUS_UPDATE_OPENING = "Update on "  # how notify/status_update.j2 begins, on every channel
SETTLE_SECONDS = 120.0  # a killed process's scheduler lease (30 s) runs out before the next one runs
TIMEOUT_RATE = 0.03
FAULT_KINDS = ("429", "502", "timeout")
# After its seeded point, a kill waits this long at most for a user waiting for an answer while a user's
# message is being sent: a moment both happen at is only likely, not certain, so a kill is aimed at one.
AIM_SECONDS = 5.0


@dataclass
class Cut:
    terminated: int
    delivery_back: float = float("nan")
    listening_back: float = float("nan")


@dataclass
class Outcome:
    figures: Figures
    kills: int = 0
    mid_intake: int = 0
    mid_delivery: int = 0
    cuts: list[Cut] = field(default_factory=list)
    users_on_track: int = 0
    appeals_open: int = 0
    appeals_updated: int = 0
    load: str = ""

    def checks(self, rounds: int, cuts: int) -> list[tuple[str, str, bool]]:
        figures = self.figures
        users = figures.users
        return [
            (
                "kill -9 rounds (mid-intake, mid-delivery)",
                f"{self.kills} ({self.mid_intake}, {self.mid_delivery})",
                self.kills >= rounds and self.mid_intake > 0 and self.mid_delivery > 0,
            ),
            (
                "connection cuts (connections ended)",
                f"{len(self.cuts)} ({sum(c.terminated for c in self.cuts)})",
                len(self.cuts) >= cuts,
            ),
            (
                "delivery back after a cut, max s",
                f"{max((c.delivery_back for c in self.cuts), default=0.0):.2f}",
                all(c.delivery_back == c.delivery_back for c in self.cuts),
            ),
            (
                "LISTEN back after a cut, max s",
                f"{max((c.listening_back for c in self.cuts), default=0.0):.2f}",
                all(c.listening_back == c.listening_back for c in self.cuts),
            ),
            (
                "users whose intake went on where it was",
                f"{self.users_on_track} of {users}",
                self.users_on_track == users,
            ),
            (
                "updates unanswered",
                f"{figures.unanswered_updates} of {figures.updates}",
                figures.unanswered_updates == 0,
            ),
            (
                "user messages delivered",
                f"{figures.delivered} of {figures.expected}",
                figures.delivered == figures.expected,
            ),
            (
                "users who got the agents' answer",
                f"{figures.answers_received} of {users}",
                figures.answers_received == users,
            ),
            ("duplicates", str(figures.duplicates), figures.duplicates == 0),
            (
                "sent again across a kill (at least once)",
                f"{figures.resent_after_kill}, sent at most {figures.unrecorded_seconds:.2f} s before it",
                True,
            ),
            (
                "open appeals that got a status update",
                f"{self.appeals_updated} of {self.appeals_open}",
                self.appeals_open == users and self.appeals_updated == self.appeals_open,
            ),
            (
                "faults injected (429, 502, timeouts)",
                ", ".join(f"{k}: {v}" for k, v in sorted(figures.faults.items())),
                all(figures.faults.get(kind, 0) > 0 for kind in FAULT_KINDS),
            ),
            ("user notifications late, p99 s (outside outages)", f"{figures.notification_late_p99:.2f}", True),
            ("wall time s", f"{figures.elapsed:.1f}", True),
        ]

    def failed(self, rounds: int, cuts: int) -> list[str]:
        """The checks that failed, each with its figure: what the suite exits 1 for, and the test asserts empty."""
        return [f"{name}: {value}" for name, value, ok in self.checks(rounds, cuts) if not ok]

    def table(self, rounds: int, cuts: int) -> tuple[str, bool]:
        rows = self.checks(rounds, cuts)
        width = max(len(name) for name, _, _ in rows)
        lines = [f"{'check':<{width}}  {'figure':<28}  result", "-" * (width + 40)]
        lines += [f"{name:<{width}}  {value:<28}  {'ok' if ok else 'FAILED'}" for name, value, ok in rows]
        lines.append(f"load average: {self.load}")
        return "\n".join(lines), not self.failed(rounds, cuts)


class FaultSuite(Scenario):
    """The scenario with a whole intake per user, many kills, connection cuts and a short status-update interval."""

    agents_seconds = 600.0

    def __init__(
        self,
        users: int,
        seed: int,
        appealdesk: Path,
        database_url: str,
        workdir: Path,
        rounds: int,
        cuts: int,
    ) -> None:
        super().__init__(users, seed, appealdesk, database_url, workdir)
        self.faults = Faults(seed, rate_429=0.2, rate_502=0.1, rate_timeout=TIMEOUT_RATE)
        self.telegram_steps = lambda number: [*telegram_steps(number), *INTAKE]
        self.slack_steps = lambda number: [*slack_steps(number), *INTAKE]
        self.random = random.Random(seed)
        self.rounds = rounds
        self.cuts = cuts
        self.outcome: Outcome | None = None
        self._kills = [0, 0, 0]  # kills, mid-intake, mid-delivery
        self._cuts: list[Cut] = []

    def env(self) -> dict[str, str]:
        return {
            **super().env(),
            "APPEALDESK_STATUS_UPDATE_HOURS": str(STATUS_UPDATE_SECONDS / 3600),
            "APPEALDESK_SCHEDULER_INTERVAL_SECONDS": "1",
            "APPEALDESK_USER_MESSAGES_PER_MINUTE": "1000",
        }

    async def faults_during(self, product: Product) -> None:
        """The kills and cuts at seeded shares of the users' steps, in order."""
        plan = [(self.random.uniform(0.03, 0.9), "kill") for _ in range(self.rounds)]
        plan += [(self.random.uniform(0.1, 0.8), "cut") for _ in range(self.cuts)]
        for share, what in sorted(plan):
            await self._until(partial(self._reached, share), seconds=300)
            await asyncio.sleep(self.random.uniform(0.0, 0.5))
            if what == "kill":
                await self._until(lambda: all(self._moment()), seconds=AIM_SECONDS)
                await self._kill(product)
            else:
                self._cuts.append(await self._cut())

    def _reached(self, share: float) -> bool:
        return self.steps_done >= share * self.steps_total

    def _moment(self) -> tuple[bool, bool]:
        """Whether a user waits for an answer (mid-intake), and whether a user's message is being sent."""
        return self.updates > self.steps_done, self._being_sent() > 0

    async def _kill(self, product: Product) -> None:
        mid_intake, mid_delivery = self._moment()
        self._kills[0] += 1
        self._kills[1] += mid_intake
        self._kills[2] += mid_delivery
        await self.restart(product)

    def _being_sent(self) -> int:
        """Users' rows leased to a worker right now: it is sending them."""
        query = text(
            "SELECT COUNT(*) FROM outbox WHERE kind IN ('user', 'reply') AND status = 'pending' AND lease_until > :now"
        )
        with self.database.connect() as connection:
            return int(connection.execute(query, {"now": datetime.now(UTC)}).scalar_one())

    async def _cut(self) -> Cut:
        """Ends every other connection to this database, as a PostgreSQL restart would, and times the way back."""
        engine = create_engine(normalise_url(self.database_url), poolclass=NullPool)
        end = text(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        listening = text("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND query = :listen")
        try:
            with engine.connect() as connection:
                at, mark = time.perf_counter(), self.telegram.call_count()
                marks = len(self.slack.calls)
                cut = Cut(int(connection.execute(end).scalar_one()))
                connection.commit()
            deadline = at + 60
            while time.perf_counter() < deadline and cut.listening_back != cut.listening_back:
                with engine.connect() as connection:
                    if connection.execute(listening, {"listen": f"LISTEN {NOTIFY_CHANNEL}"}).scalar_one():
                        cut.listening_back = time.perf_counter() - at
                await asyncio.sleep(0.1)
            await self._until(lambda: self._sent_since(mark, marks), seconds=60)
            if self._sent_since(mark, marks):
                cut.delivery_back = self._first_sent_since(mark, marks) - at
            return cut
        finally:
            engine.dispose()

    def _sent_since(self, mark: int, marks: int) -> bool:
        return self._first_sent_since(mark, marks) == self._first_sent_since(mark, marks) < float("inf")

    def _first_sent_since(self, mark: int, marks: int) -> float:
        times = [c.at for c in self.telegram.calls("sendMessage", since=mark) if c.error is None]
        times += [c.at for c in self.slack.calls[marks:] if c.error is None and c.method in SLACK_SENDS]
        return min(times, default=float("inf"))

    async def settle(self) -> None:
        """Waits for every open appeal's status update, then takes the suite's own figures."""
        await self._until(lambda: self._appeals()[1] >= self._appeals()[0] > 0, seconds=SETTLE_SECONDS, every=1.0)
        await self._wait_for_user_messages(seconds=30)
        open_appeals, updated = self._appeals()
        kills, mid_intake, mid_delivery = self._kills
        self.outcome = Outcome(
            figures=self._figures(0.0, 0.0),
            kills=kills,
            mid_intake=mid_intake,
            mid_delivery=mid_delivery,
            cuts=self._cuts,
            users_on_track=self._users_on_track(),
            appeals_open=open_appeals,
            appeals_updated=updated,
        )

    def _appeals(self) -> tuple[int, int]:
        """Open appeals, and those whose user was sent a status update."""
        query = text(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM outbox WHERE outbox.ticket_id = tickets.id "
            "AND template = :template AND outbox.status = 'sent')) "
            "FROM tickets WHERE kind = 'appeal' AND status IN ('new', 'in_review')"
        )
        with self.database.connect() as connection:
            total, updated = connection.execute(query, {"template": STATUS_UPDATE}).one()
        return int(total), int(updated)

    def repeats(self) -> list[Repeat]:
        """The scenario's repeats, less the status updates that came again at their interval.

        Two updates less than a minute apart may read the same (their "next update by" is to the minute),
        so a chat may get a status update's text as often as it was sent status-update rows; a row sent
        twice is still a repeat.
        """
        rows = self._status_updates_sent()
        copies: Counter[str] = Counter()
        found = []
        for repeat in super().repeats():
            if STATUS_UPDATE_OPENING in repeat.what:
                copies[repeat.what] += 1
                if copies[repeat.what] < rows[repeat.what.split(":")[1]]:
                    continue
            found.append(repeat)
        return found

    def _status_updates_sent(self) -> Counter[str]:
        query = text(
            "SELECT chat_id, COUNT(*) FROM outbox WHERE template = :template AND status = 'sent' GROUP BY chat_id"
        )
        with self.database.connect() as connection:
            rows = connection.execute(query, {"template": STATUS_UPDATE})
            return Counter({str(chat): int(count) for chat, count in rows})

    def _users_on_track(self) -> int:
        """Users whose replies, from the intake's start, are each the next step's question, once."""
        query = text("SELECT chat_id, template FROM outbox WHERE kind = 'reply' ORDER BY id")
        replies: dict[str, list[str]] = {}
        with self.database.connect() as connection:
            for chat_id, template in connection.execute(query):
                replies.setdefault(chat_id, []).append(template)
        return sum(
            1
            for templates in replies.values()
            if "intake/start.j2" in templates
            and templates[templates.index("intake/start.j2") :][: len(EXPECTED)] == list(EXPECTED)
        )


def fresh_database(url: str) -> tuple[str, str]:
    """A new database's URL beside the one given, and its name."""
    parsed = make_url(normalise_url(url))
    name = f"{parsed.database}_bench_{os.getpid()}"
    return parsed.set(database=name).render_as_string(hide_password=False), name


def admin(url: str, statement: str) -> None:
    engine = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


def run(suite: FaultSuite) -> Outcome:
    figures = asyncio.run(suite.run())
    assert suite.outcome is not None
    suite.outcome.figures.elapsed = figures.elapsed
    return suite.outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=20, help="kill -9 rounds")
    parser.add_argument("--cuts", type=int, default=2, help="times every database connection is ended")
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("APPEALDESK_TEST_POSTGRES_URL"),
        help="a PostgreSQL database's URL; the suite creates and drops its own beside it",
    )
    parser.add_argument("--appealdesk", type=Path, default=Path(sys.executable).parent / "appealdesk")
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="keep the product's log (DIR/appealdesk-run.log), the messages received twice (repeats.txt) and the database",
    )
    args = parser.parse_args()
    if not args.postgres:
        parser.error("give --postgres URL (or set APPEALDESK_TEST_POSTGRES_URL)")
    url, name = fresh_database(args.postgres)
    admin(args.postgres, f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory() as folder:
            workdir = args.keep or Path(folder)
            workdir.mkdir(parents=True, exist_ok=True)
            suite = FaultSuite(args.users, args.seed, args.appealdesk, url, workdir, args.rounds, args.cuts)
            print(f"load average at the start: {load_average()}")
            outcome = run(suite)
            outcome.load = load_average()
            if args.keep:
                lines = [f"kill at {kill:.2f}, ready again at {ready:.2f}" for kill, ready in suite.restarts]
                lines += [str(repeat) for repeat in suite.repeats()]
                (args.keep / "repeats.txt").write_text("".join(line + "\n" for line in lines))
    finally:
        if args.keep:
            print(f"kept: {args.keep / 'appealdesk-run.log'} and the database {name}")
        else:
            admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    table, passed = outcome.table(args.rounds, args.cuts)
    print(table)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
