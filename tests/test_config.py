"""Settings from the environment: how supervisors are written, and what a supervisor may do."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.channels.registry import load_settings


def test_supervisors_are_channel_and_user_id_and_a_plain_name_is_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("APPEALDESK_SUPERVISORS", "telegram:5001, slack:ULEAD, bob, cli:carol")
    monkeypatch.setenv("APPEALDESK_TELEGRAM_TOKEN", "123:test")
    monkeypatch.setenv("APPEALDESK_SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("APPEALDESK_SLACK_SIGNING_SECRET", "secret")
    settings = load_settings(_env_file=None)
    assert settings.supervisor_contacts() == [
        ("telegram", "5001"),
        ("slack", "ULEAD"),
        ("cli", "bob"),
        ("cli", "carol"),
    ]


def test_a_supervisor_may_act_on_tickets_from_their_own_channel_only() -> None:
    settings = load_settings(_env_file=None, agents=["alice"], supervisors=["bob"])
    assert settings.agents_for("cli") == {"alice", "bob"}
    assert "bob" not in settings.agents_for("telegram")


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("telegram:5001", "the telegram channel is not configured"),
        ("fax:123", "'fax:123' is not channel:user_id"),
        ("slack:", "'slack:' is not channel:user_id"),
    ],
)
def test_a_supervisor_who_could_never_be_told_is_a_configuration_error(entry: str, problem: str) -> None:
    with pytest.raises(ValidationError) as error:
        load_settings(_env_file=None, supervisors=[entry])
    assert problem in str(error.value)
