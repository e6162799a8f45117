"""Telegram intake benchmark: N simulated freelancers file complete appeals at once through the fake Bot API.

Run `python -m benchmarks.telegram_intake [--users 50] [--database URL]`. The real channel polls
tests/fakes/telegram_bot_api.py over HTTP on 127.0.0.1, exactly as in the tests; each user
walks the whole intake (19 updates, one document). Prints updates handled per second and the p50/p99
time from an update's arrival at the API to the bot's first reply. The rate limiter is off, so this
measures the bot, not Telegram's flood limits (which would cap a chat at about one message a second).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.channels.registry import load_settings  # noqa: E402
from bot.desk import Desk  # noqa: E402
from tests.fakes.telegram_bot_api import FakeBotApi, FakeUser  # noqa: E402
from tests.fakes.telegram_harness import TelegramHarness, file_appeal  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def run(users: int, database_url: str, workdir: Path) -> None:
    with FakeBotApi() as api:
        settings = load_settings(
            _env_file=None,
            database_url=database_url,
            evidence_dir=workdir / "evidence",
            telegram_token=api.token,
            telegram_api_url=api.url,
            telegram_agents_chat="-1001",
            telegram_agents=["900"],
        )
        desk = Desk(settings).migrate()
        bot = TelegramHarness(api, desk, timeout=120)
        await bot.start()
        try:
            people = [FakeUser(10_000 + n, f"User {n}") for n in range(users)]
            started = time.perf_counter()
            await asyncio.gather(*(file_appeal(bot, person, f"user_{n}_dev") for n, person in enumerate(people)))
            elapsed = time.perf_counter() - started
        finally:
            await bot.stop()
            desk.db.dispose()
    updates = len(bot.latencies)
    print(f"{users} users, {updates} updates, complete intakes in {elapsed:.2f} s ({desk.db.engine.dialect.name})")
    print(f"updates handled: {updates / elapsed:.1f}/s")
    print(
        "arrival to first reply: "
        f"p50 {statistics.median(bot.latencies) * 1000:.1f} ms, "
        f"p99 {percentile(bot.latencies, 0.99) * 1000:.1f} ms, "
        f"max {max(bot.latencies) * 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        asyncio.run(run(args.users, args.database or f"sqlite:///{workdir / 'bench.db'}", workdir))


if __name__ == "__main__":
    main()
