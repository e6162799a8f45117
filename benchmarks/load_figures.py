"""The load benchmark's figures: what one channel's users saw at one worker count, read from the fakes'
calls and the outbox, and the table they are printed as."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.fake_process import CallRow
from benchmarks.processes import Product, moment, percentile

Arrival = tuple[str, float]  # (the user's chat, when the update was sent)


@dataclass
class Figures:
    """One channel's users at one worker count, or every channel's (`combined`)."""

    processes: int
    channel: str
    updates: int
    seconds: float
    replies: list[float]
    notified: list[float]
    expected: int
    delivered: int
    duplicates: int
    lost: int
    peak_rss_mb: list[float] = field(default_factory=list)
    cpu_seconds: float = 0.0  # the products' CPU time (user and system) from ready until every message was out

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    @property
    def sound(self) -> bool:
        return self.duplicates == 0 and self.lost == 0 and self.expected == self.delivered

    @property
    def cpu_ms_per_update(self) -> float:
        return self.cpu_seconds * 1000 / self.updates if self.updates else 0.0

    @classmethod
    def combined(cls, parts: Sequence[Figures], peak_rss_mb: list[float], cpu_seconds: float) -> Figures:
        return cls(
            processes=parts[0].processes,
            channel="all",
            updates=sum(part.updates for part in parts),
            seconds=max(part.seconds for part in parts),
            replies=[value for part in parts for value in part.replies],
            notified=[value for part in parts for value in part.notified],
            expected=sum(part.expected for part in parts),
            delivered=sum(part.delivered for part in parts),
            duplicates=sum(part.duplicates for part in parts),
            lost=sum(part.lost for part in parts),
            peak_rss_mb=peak_rss_mb,
            cpu_seconds=cpu_seconds,
        )


def channel_figures(
    processes: int,
    name: str,
    arrivals: list[Arrival],
    seconds: float,
    calls: list[CallRow],
    sends: tuple[str, ...],
    new_message: str,
    rows: list[dict[str, Any]],
    handled: int,
) -> Figures:
    """One channel's figures from its users' arrivals, the platform's calls (`sends` show a user a message,
    `new_message` posts one anew: the same post twice in a chat is a duplicate), the outbox and how many
    updates were handled."""
    chats = {chat for chat, _ in arrivals}
    sent = [call for call in calls if call[4] and call[0] in sends and str(call[1]) in chats]
    by_chat: dict[str, list[float]] = {}
    for _method, chat, _content, at, _ok in sent:
        by_chat.setdefault(str(chat), []).append(at)
    replies = []
    for chat, arrival in arrivals:
        later = [at for at in by_chat.get(chat, []) if at >= arrival]
        replies.append(min(later) - arrival if later else float("inf"))
    mine = [row for row in rows if row["channel"] == name]
    notified = [
        (moment(row["sent_at"]) - moment(row["created_at"])).total_seconds()
        for row in mine
        if row["kind"] == "user" and row["sent_at"] is not None
    ]
    posted = Counter((str(chat), content) for method, chat, content, _at, _ok in sent if method == new_message)
    return Figures(
        processes=processes,
        channel=name,
        updates=len(arrivals),
        seconds=seconds,
        replies=replies,
        notified=notified,
        expected=len(mine),
        delivered=sum(1 for row in mine if row["status"] == "sent"),
        duplicates=sum(count - 1 for count in posted.values()),
        lost=len(arrivals) - handled,
    )


def cpu_seconds(product: Product) -> float:
    """The process's CPU time so far, user and system (/proc/PID/stat), read while it still runs."""
    if product.process is None:
        return 0.0
    try:
        fields = Path(f"/proc/{product.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime and stime, fields 14 and 15


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


def table(figures: list[Figures]) -> list[str]:
    first = next((each.rate for each in figures if each.channel == "all"), 0.0) or 1.0
    lines = [
        "processes  channel   updates/s  update→reply p50/p99 ms  action→notified p50/p99 ms  expected/delivered"
        "  duplicates  lost  peak RSS MB per process  CPU ms/update  scaling"
    ]
    for each in figures:
        whole = each.channel == "all"
        rss = "/".join(f"{value:.0f}" for value in each.peak_rss_mb)
        scaling = f"{each.rate / first:.2f}x" if whole else ""
        cpu = f"{each.cpu_ms_per_update:.1f}" if whole else ""
        lines.append(
            f"{each.processes:>9}  {each.channel:<8}  {each.rate:>9.1f}  "
            f"{ms(percentile(each.replies, 0.5)):>10} / {ms(percentile(each.replies, 0.99)):<11}  "
            f"{ms(percentile(each.notified, 0.5)):>12} / {ms(percentile(each.notified, 0.99)):<13}  "
            f"{each.expected:>8}/{each.delivered:<9}  {each.duplicates:>10}  {each.lost:>4}  {rss:<23}  {cpu:>13}  {scaling:>7}"
        )
    return lines


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}" if seconds != float("inf") else "none"
