"""Every text names commands the way the reader's channel lets them type them.

Slack keeps slash commands for itself, so there the core's /human is `/appeal human`; everywhere
else it is `/human`. Every template is rendered for every channel and format it can reach.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.channels.slack.channel import SlackChannel
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.terminal.plugin import SYNTAX as TERMINAL
from bot.channels.web.channel import WebChannel
from bot.config import PROJECT_ROOT
from bot.core.rendering import Renderer
from bot.core.tickets.actors import Actor
from bot.core.tickets.queue import queue_row
from bot.desk import Desk
from tests.chat import ChatUser, file_appeal
from tests.conftest import DeskFactory

TEMPLATES = PROJECT_ROOT / "templates"
CORE_COMMANDS = ("start", "help", "status", "ask", "add", "human", "cancel", "back", "kb", "new")
COMMAND_IN_SOURCE = re.compile(r"(?<![\w/:<])/(" + "|".join(("appeal", *CORE_COMMANDS)) + r")\b")
SLASH_ALONE = re.compile(r"(?<![\w/:<])/(" + "|".join(CORE_COMMANDS) + r")\b")
UNDER_APPEAL = re.compile(r"/appeal (" + "|".join(CORE_COMMANDS) + r")\b")
ALICE = Actor("cli", "alice")


@pytest.fixture
def channels(make_desk: DeskFactory) -> dict[str, tuple[Renderer, tuple[str, ...]]]:
    """Each channel's renderer, as the channel itself builds it, and the formats it renders in."""
    desk = make_desk(
        telegram_token="123:abc",
        telegram_api_url="http://127.0.0.1:9",
        slack_bot_token="xoxb-test",
        slack_signing_secret="secret",
        slack_api_url="http://127.0.0.1:9/api/",
    )
    telegram = TelegramChannel(desk, desk.settings)
    slack = SlackChannel(desk, desk.settings)
    web = WebChannel(desk, desk.settings)
    return {
        "terminal": (desk.renderer.with_commands(TERMINAL), ("plain",)),
        "web": (web.chat.desk.renderer, ("html", "plain")),
        "telegram": (telegram.poster.renderer, ("telegram_html", "plain")),
        "slack": (slack.renderer, ("slack_mrkdwn", "plain")),
    }


def test_no_template_writes_a_command_by_hand() -> None:
    for path in TEMPLATES.rglob("*.j2"):
        found = COMMAND_IN_SOURCE.findall(path.read_text("utf-8"))
        assert not found, f"{path.relative_to(TEMPLATES)} writes /{found[0]}; use {{{{ cmd({found[0]!r}) }}}}"


def test_every_template_renders_for_every_channel_in_its_own_command_syntax(
    desk: Desk, channels: dict[str, tuple[Renderer, tuple[str, ...]]]
) -> None:
    contexts = representative_contexts(desk)
    rendered = 0
    for path in sorted(TEMPLATES.rglob("*.j2")):
        name = path.relative_to(TEMPLATES).as_posix()
        context = contexts.get(name, contexts["*"])
        for channel, (renderer, formats) in channels.items():
            if not reaches(name, channel):
                continue
            for fmt in formats:
                text = renderer.render(name, context, fmt)
                foreign = (SLASH_ALONE if channel == "slack" else UNDER_APPEAL).search(text)
                assert foreign is None, f"{name} on {channel} ({fmt}) says {foreign.group(0)!r}:\n{text}"
                rendered += 1
    assert rendered > 200


def test_the_same_text_reads_differently_on_slack_and_elsewhere(
    channels: dict[str, tuple[Renderer, tuple[str, ...]]],
) -> None:
    slack, _ = channels["slack"]
    telegram, _ = channels["telegram"]
    assert "/appeal human - ask a person" in slack.render("idle/help.j2", {}, "slack_mrkdwn")
    assert "/appeal - appeal a hold" in slack.render("idle/help.j2", {}, "slack_mrkdwn")
    assert "/appeal ask is a VPN allowed?" in slack.render("idle/help.j2", {}, "plain")
    assert "/human - ask a person" in telegram.render("idle/help.j2", {}, "telegram_html")
    assert "/ask is a VPN allowed?" in telegram.render("idle/help.j2", {}, "plain")


def test_knowledge_base_answers_name_commands_in_each_channels_syntax(
    desk: Desk, channels: dict[str, tuple[Renderer, tuple[str, ...]]]
) -> None:
    entries = desk.knowledge.entries()
    naming_status = [entry for entry in entries if "/status" in entry.answer]
    assert naming_status, "the sample knowledge base names /status in some answer"
    for entry in entries:
        context = {
            "title": entry.title,
            "answer": entry.public_answer("WorkMarket"),
            "reviewed": entry.last_reviewed,
            "language": "en",
        }
        for channel, (renderer, formats) in channels.items():
            for fmt in formats:
                text = renderer.render("answers/entry.j2", context, fmt)
                foreign = (SLASH_ALONE if channel == "slack" else UNDER_APPEAL).search(text)
                assert foreign is None, f"{entry.id} on {channel} ({fmt}) says {foreign.group(0)!r}:\n{text}"
                if entry in naming_status:
                    expected = "/appeal status" if channel == "slack" else "/status"
                    assert expected in text, f"{entry.id} on {channel} ({fmt}) lost {expected}"


def reaches(template: str, channel: str) -> bool:
    """Folders named after a channel hold texts only that channel shows."""
    folder = template.split("/", 1)[0]
    return folder not in ("terminal", "telegram", "slack", "web") or folder == channel


def representative_contexts(desk: Desk) -> dict[str, dict[str, Any]]:
    """Values like the ones the product passes, from a real appeal that was decided, and a real rule entry."""
    user = ChatUser(desk)
    reference = file_appeal(user)
    status = user.send("/status")[0].context
    desk.tickets.resolve(
        reference,
        ALICE,
        "upheld",
        "location-or-vpn",
        "The logins came from a VPN while you were travelling.",
        "Login history 12-19 Nov.",
        may_appeal_again=True,
        appeal_again_after="2027-03-01",
    )
    ticket = desk.tickets.show(reference, ALICE)
    tickets = desk.tickets.list(ALICE, "all", personal=True)
    entry = desk.knowledge.entries()[0]
    when = (datetime(2026, 11, 26, 12, tzinfo=UTC)).isoformat()
    files = [{"name": "booking.pdf", "size": 1200, "reason": "too_big"}]
    common: dict[str, Any] = {
        "reference": reference,
        "ticket": ticket,
        "tickets": tickets,
        "due": when,
        "next_update_by": when,
        "position": 3,
        "owner_elsewhere": True,
        "n": 3,
        "total": 13,
        "count": 1,
        "again": False,
        "selected": 1,
        "comforted": False,
        "accepted": files,
        "refused": files,
        "at_evidence_step": False,
        "max_mb": 10,
        "max_files": 10,
        "answered": True,
        "text": True,
        "already": False,
        "sent": True,
        "helpful": False,
        "title": entry.title,
        "answer": entry.public_answer("WorkMarket"),
        "reviewed": entry.last_reviewed,
        "entry": entry,
        "entry_id": entry.id,
        "revisions": 2,
        "question": "Is a VPN allowed?",
        "earlier": "Is a VPN allowed?",
        "kind": "question",
        "outcome": "upheld",
        "matches": [
            {
                "id": entry.id,
                "title": entry.title,
                "score": 0.91,
                "lexical": 0.8,
                "semantic": 0.95,
                "weight": 0.6,
                "meanings": {"neighbours": 0.93, "centroid": 0.9, "answer": 0.86},
                "window": "Is a VPN allowed? I travel.",
            }
        ],
        "probability": 0.87,
        "language": "ru",
        "missed": "resolution",
        "supervisors": True,
        "decide_by": when,
        "hours_left": 62,
        "message": "We look at it again.",
        "status": "new",
        "command": "/claim",
        "length": 5000,
        "limit": 4000,
        "until": when,
        "in_intake": False,
        "hint": "too_short",
        "step": "explanation",
        "minimum": 40,
        "maximum": 4000,
        "rows": [{"key": "account", "label": "field.account", "value": "olegz_dev", "from_platform": False}],
        "code": "transition",
        "action": "resolve",
        "allowed": ["reinstated", "upheld", "withdrawn"],
        "assignee": "cli:alice",
        "file": 1,
        "reason": "location-or-vpn",
        "who": "cli:mallory",
        "event": {**ticket["events"][-1], "public_message": "Please send it.", "internal_note": "checked"},
        "agent_id": 900,
        "agent_name": "Alice",
        "appeal_again_after": "2027-03-01",
        "may_appeal_again": True,
        "day": (datetime(2026, 11, 20, tzinfo=UTC) - timedelta(days=1)).date().isoformat(),
        "names": ["scan.pdf"],
        "username": "AppealDeskBot",
        "missing": [str(Path("/no/such file.pdf"))],
        "folders": [str(Path("/home/olga/Downloads"))],
        "so_far": 1200,
        "parts": 2,
        "in_parts": True,
        "readings": ["2026-05-11", "2026-11-05"],
        "name": "olga",
        "channels": ["web"],
        "unconfigured": ["telegram", "slack"],
        "host": "127.0.0.1",
        "port": 8080,
        "admin_password": "one-time-password-1",
        "holder": "console:nina",
        "previous": "console:alice",
        "by": "console:sam",
        "error": "the platform answered 502",
        "choices": [{"number": 1, "label": "intake.date", "params": {"day": "2026-11-19"}, "selected": True}],
    }
    return {
        "*": common,
        "idle/status.j2": {**common, **status},
        "slack/home.j2": {**common, "tickets": tickets},
        "agents/ticket_list.j2": {**common, "tickets": [queue_row(view, desk.clock.now()) for view in tickets]},
        "files/refused.j2": {**common, "file": {"name": "scan.pdf", "reason": "mismatch"}},
        "agents/file_refused.j2": {**common, "file": "scan.pdf", "reason": "mismatch", "actor": "console:alice"},
        "web/upload_too_big.j2": {**common, "total_mb": 101},
        "platform/account_action.j2": {
            **common,
            "action": "temporary_hold",
            "account": "olegz_dev",
            "explanation": "Someone else logged in to your account.",
            "taken_at": when,
            "rules": [{"title": entry.title, "answer": entry.public_answer("WorkMarket")}],
        },
        "intake/on_record.j2": {
            **common,
            "action": "permanent_suspension",
            "reason_category": "account-sharing",
            "explanation": "Someone else logged in to your account.",
            "taken_at": when,
            "rules": [{"id": entry.id, "title": entry.title, "answer": entry.public_answer("WorkMarket")}],
            "filled": ["what_happened", "notice_date", "reason_given"],
        },
    }
