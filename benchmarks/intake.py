"""N simulated users through the complete intake, in one process: messages/s, p50/p99 latency, peak RSS.

    python -m benchmarks.intake [--users N] [--postgres URL]

Each message is timed the way a channel answers it: the turn (which queues its replies in the
outbox, leased to the channel), then each reply recorded as sent (the platform call itself is left out).

Goal on a 2-core machine: >= 500 messages/s and p99 < 20 ms on SQLite.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks import backends
from bot.config import Settings
from bot.core.events import Attachment, Identity, Inbound
from bot.core.outbox import Delivered
from bot.desk import Desk

EXPLANATION = "I was travelling in Turkey from 10 to 19 Nov and used a VPN for my bank. I never hid my location."


def script() -> list[tuple[str, bool]]:
    """(text, with a file) for each message of one complete intake, answered as typed text."""
    return [
        ("/appeal", False),
        ("", False),  # account, filled per user
        ("Permanently suspended", False),
        ("yesterday", False),
        ("none", False),
        ("no reason", False),
        ("2017", False),
        ("Top Rated Plus", False),
        ("skip", False),
        ("1, 3", False),
        (EXPLANATION, False),
        ("that's all", False),
        ("", True),
        ("done", False),
        ("1", False),
        ("yes", False),
        ("send", False),
    ]


def run(url: str, users: int, workdir: Path) -> dict[str, float]:
    settings = Settings(database_url=url, evidence_dir=workdir / "evidence", _env_file=None)  # type: ignore[call-arg]
    desk = Desk(settings).migrate()
    content = b"%PDF-1.4 " + b"x" * 20_000
    latencies: list[float] = []
    started = time.perf_counter()
    steps = script()
    for index, (text, with_file) in enumerate(steps):
        for user in range(users):
            name = f"bench-{int(started)}-{user}"
            identity = Identity("bench", name, name)
            body = f"user_{name}" if index == 1 else text
            files = (Attachment("booking.pdf", "application/pdf", len(content), lambda: content),) if with_file else ()
            begin = time.perf_counter()
            handled = desk.handle_turn(Inbound(identity, text=body, attachments=files), lease_to="bench")
            for message in handled.to_send:
                desk.outbox.complete(message.id, "bench", Delivered())
            replies = handled.replies
            latencies.append(time.perf_counter() - begin)
            if index == len(steps) - 1:
                assert replies[-1].template == "intake/submitted.j2", replies[-1].template
    elapsed = time.perf_counter() - started
    latencies.sort()
    desk.db.dispose()
    return {
        "messages": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--postgres", help="also run against this PostgreSQL URL (a scratch database)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        print(f"{'backend':<11} {'users':>6} {'messages':>9} {'msg/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
        for name, url in backends(workdir, args.postgres):
            figures = run(url, args.users, workdir)
            print(
                f"{name:<11} {args.users:>6} {figures['messages']:>9.0f} {figures['per_second']:>8.0f} "
                f"{figures['p50_ms']:>8.2f} {figures['p99_ms']:>8.2f}"
            )
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
