"""What this process counts as it works, for /metrics: updates handled, deliveries, scheduler runs.

Counters live in this process's own registry and count what this process did: several processes
sharing one database each report their own, and Prometheus sums them across the scraped targets.
What the database knows (backlog, open tickets) is read at scrape time instead (core/gauges.py).
A channel is a label value, given by whoever calls; this module names none.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, PlatformCollector, ProcessCollector

PROCESS = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=PROCESS)  # resident memory, CPU seconds, open files of this process
PlatformCollector(registry=PROCESS)

UPDATES = Counter(
    "appealdesk_updates_handled",
    "Updates from users handled, by channel and result (handled, duplicate, failed).",
    ["channel", "result"],
    registry=PROCESS,
)
HANDLING_SECONDS = Histogram(
    "appealdesk_update_handling_seconds",
    "Time to handle one update and queue its replies, by channel.",
    ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=PROCESS,
)
DELIVERIES = Counter(
    "appealdesk_deliveries",
    "Outbox delivery attempts, by channel and result (sent, retry, undeliverable, failed, rejected, lost).",
    ["channel", "result"],
    registry=PROCESS,
)
SCHEDULER_RUNS = Counter(
    "appealdesk_scheduler_runs",
    "Scheduler runs, by result: ran (this process held the lease), skipped (another held it), failed.",
    ["result"],
    registry=PROCESS,
)
RATE_LIMITED = Counter(
    "appealdesk_rate_limited",
    "Sends a channel's own rate limiter held back to keep to the platform's flood limits, by channel.",
    ["channel"],
    registry=PROCESS,
)
PROMISE_BREACHES = Counter(
    "appealdesk_promise_breaches",
    "Tickets escalated for a missed response target, by target (first_response, resolution).",
    ["missed"],
    registry=PROCESS,
)
