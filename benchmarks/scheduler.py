"""One scheduler run over N open tickets of which a few are due: run time and rows touched.

    python -m benchmarks.scheduler [--tickets N] [--due-percent P] [--postgres URL]

The scheduler reads only what is due, so a run's rows touched equal the tickets due (half quiet for the
status-update interval, half past their first-response target), however many are open; an idle run
after it touches none. With --postgres, use a scratch database: its tickets are counted too.

Goal on a 2-core machine: 10,000 open tickets with 1% due in < 2 s on SQLite, and an idle run < 50 ms.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks import backends
from bot.config import Settings
from bot.core.clock import ManualClock
from bot.core.scheduler import SchedulerRun
from bot.desk import Desk
from bot.store.models import Ticket, User


def fill(desk: Desk, clock: ManualClock, tickets: int, due: int) -> None:
    """Open tickets updated an hour ago, the first `due` of them quiet for longer than the interval."""
    now = clock.now()
    stamp = int(time.time() * 1000)
    settings = desk.settings
    with desk.db.session() as session:
        users = [
            User(channel="bench", platform_user_id=f"{stamp}-{n}", chat_id=f"chat-{stamp}-{n}", created_at=now)
            for n in range(tickets)
        ]
        session.add_all(users)
        session.flush()
        for n, user in enumerate(users):
            quiet = n < due
            updated = now - settings.status_update_interval if quiet else now
            opened = now - settings.first_response if quiet and n % 2 else updated
            session.add(
                Ticket(
                    kind="question",
                    user_id=user.id or 0,
                    created_at=opened,
                    updated_at=updated,
                    first_response_due=opened + settings.first_response,
                    resolution_due=opened + settings.resolution,
                    last_user_update_at=updated,
                )
            )
    clock.advance(minutes=1)


def timed(desk: Desk) -> tuple[float, SchedulerRun]:
    started = time.perf_counter()
    run = desk.scheduler.run_once()
    return time.perf_counter() - started, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--due-percent", type=float, default=1.0)
    parser.add_argument("--postgres", help="also run against this PostgreSQL URL (a scratch database)")
    args = parser.parse_args()
    due = int(args.tickets * args.due_percent / 100)
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        print(f"{'backend':<11} {'open':>7} {'due':>5} {'run s':>7} {'touched':>8} {'handled':>8} {'idle ms':>8}")
        for name, url in backends(workdir, args.postgres):
            settings = Settings(database_url=url, evidence_dir=workdir / "evidence", _env_file=None)
            clock = ManualClock()
            desk = Desk(settings, clock=clock).migrate()
            fill(desk, clock, args.tickets, due)
            elapsed, run = timed(desk)
            idle, after = timed(desk)
            assert after.touched == 0, after
            handled = run.status_updates + run.escalations
            print(
                f"{name:<11} {args.tickets:>7} {due:>5} {elapsed:>7.3f} {run.touched:>8} {handled:>8} "
                f"{idle * 1000:>8.1f}"
            )
            desk.db.dispose()


if __name__ == "__main__":
    main()
