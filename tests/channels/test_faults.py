"""The product under faults: the fault suite's short form, on SQLite and PostgreSQL, in every CI run.

`benchmarks/faults.py` runs a real `appealdesk run` against the fake Bot API and the fake Slack Web
API while 4 users (2 on each platform) ask questions, ask a person (agents in another process answer)
and type a whole appeal. Both fakes answer a seeded 20% of the bot's sends with 429 and 10% with 502,
and Telegram leaves 3% hanging past the bot's read timeout. The product is killed with SIGKILL 3
times, each aimed at a moment when a user waits for an answer while a user's message is being sent;
on PostgreSQL every connection to the database is also ended once (`pg_terminate_backend` has no
SQLite counterpart, so there the run has no cut). The test asserts the checks the suite prints: each
conversation went on where it was, no update unanswered, every message delivered, no duplicates,
every user got the agents' answer, every open appeal its status update (due every 20 s; a
second one in the same words is not a duplicate), delivery and LISTEN back after the cut. The full
run (`python -m benchmarks.faults`: 30 users, 20 kills, 2 cuts) is not in CI.
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.faults import FaultSuite, run
from bot.store.db import Database

USERS = 4
ROUNDS = 3
CUTS = {"sqlite": 0, "postgres": 1}
SEED = 9
APPEALDESK = Path(sys.executable).parent / "appealdesk"


def test_conversations_go_on_and_every_message_arrives_once_through_kills_cuts_and_storms(
    database: Database, backend: str, tmp_path: Path
) -> None:
    cuts = CUTS[backend]
    suite = FaultSuite(USERS, SEED, APPEALDESK, database.url, tmp_path, ROUNDS, cuts)

    outcome = run(suite)

    log = tmp_path / "appealdesk-run.log"
    assert outcome.failed(ROUNDS, cuts) == [], f"seed {SEED}; the product's log: {log}"
