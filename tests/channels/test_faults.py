"""The product under faults: 50 users on Telegram and Slack, both platforms failing a share of calls, one kill -9.

`benchmarks/faults_scenario.py` runs a real `appealdesk run` against the fake Bot API and the fake
Slack Web API, both answering a seeded 20% of the bot's sends with 429 and 10% with 502, while the
users talk to it and agents (another process) claim, note and answer their questions. The product
is killed with SIGKILL once, at 40% of the users' steps, and started again. It runs on SQLite and,
like every test over `database`, on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from benchmarks.faults_scenario import Scenario, slack_steps, telegram_steps
from bot.store.db import Database

USERS = 50
APPEALDESK = Path(sys.executable).parent / "appealdesk"


def test_every_reply_and_notification_arrives_once_under_faults_and_a_kill(database: Database, tmp_path: Path) -> None:
    scenario = Scenario(USERS, seed=9, appealdesk=APPEALDESK, database_url=database.url, workdir=tmp_path)

    figures = asyncio.run(scenario.run())

    assert figures.faults["429"] > 0 and figures.faults["502"] > 0
    updates = USERS // 2 * len(slack_steps(0)) + (USERS - USERS // 2) * len(telegram_steps(0))
    assert figures.updates == updates and figures.unanswered_updates == 0
    assert figures.expected >= updates + 2 * USERS  # a reply to each update; each user told of claim and answer
    assert figures.delivered == figures.expected
    assert figures.answers_received == USERS
    assert figures.duplicates == 0
    # every user's message went out while the agents' chats still had card updates waiting: none waited behind them
    assert figures.group_backlog > 0
