"""What the benchmarks that run a real `appealdesk run` share: free ports, the product as a subprocess,
a small knowledge base, and reading the figures back (timestamps, percentiles)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The few entries the users' questions need: embedding all of them would cost a minute on a busy machine.
KNOWLEDGE = ("vpn-and-proxies", "contact-human-support", "appeal-status-and-response-times")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Product:
    """`appealdesk run` (with `args`, e.g. a role) as a subprocess, with the agents' process beside it.

    `wrapper` is a command that runs the `appealdesk` script given after it (a profiler)."""

    def __init__(
        self, appealdesk: Path, env: dict[str, str], log: Path, args: Sequence[str] = (), wrapper: Sequence[str] = ()
    ) -> None:
        self.appealdesk = appealdesk
        self.env = env
        self.log = log
        self.args = list(args)
        self.wrapper = list(wrapper)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [*self.wrapper, str(self.appealdesk), "run", *self.args],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self, seconds: float = 20) -> None:
        """SIGTERM, and SIGKILL if it has not stopped after `seconds`."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def agents(self, tickets: int, seconds: float, *options: str) -> subprocess.Popen[str]:
        """The agents' process (faults_agents.py), once it has prepared the database (it prints "ready")."""
        python = self.appealdesk.parent / "python"
        script = Path(__file__).with_name("faults_agents.py")
        with self.log.open("ab") as errors:
            agents = subprocess.Popen(
                [str(python), str(script), "--tickets", str(tickets), "--seconds", str(seconds), *options],
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            )
        assert agents.stdout is not None and agents.stdout.readline().strip() == "ready", self.log.read_text()
        return agents


def small_knowledge(folder: Path, entries: Sequence[str] = KNOWLEDGE) -> Path:
    """A knowledge base of the entries the users ask about, with the shipped synonyms and thresholds."""
    source = ROOT / "knowledge"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("synonyms.yaml", "matcher.yaml"):
        (folder / name).write_text((source / name).read_text())
    for entry in entries:
        text = (source / f"{entry}.md").read_text()
        kept = [line if not line.startswith("related:") else "related: []" for line in text.splitlines()]
        (folder / f"{entry}.md").write_text("\n".join(kept) + "\n")
    return folder


def moment(value: datetime | str) -> datetime:
    """A timestamp as the database gives it back (SQLite: text), in UTC."""
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())
