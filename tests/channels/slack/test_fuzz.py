"""Fuzzing the Slack app: random DMs, files and button clicks, with signed requests, never crash it or ping anyone.

Each example goes through bolt over HTTP and the fake Web API, which checks Slack's limits; what
the app posts must carry the user's markup escaped, so a "<!channel>" typed by a user stays text.
Every DM, oversize ones included, is answered, and a shared file is kept only as what its content is,
whatever its name and the mimetype Slack gives for it.
"""

from __future__ import annotations

import itertools
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.slack.blocks import USER_ACTION_PREFIX
from bot.channels.slack.card import AGENT_ACTION_PREFIX
from tests.channels.slack.conftest import AGENT, AGENTS_CHANNEL, SlackHarness
from tests.fuzzing import FUZZ, SentFile, hostile_text, kept_as, oversize_text, sent_files

RAW_MARKUP = ("<!channel>", "<!here>", "<@U123>", "<https://x", "<img", "<script")
_users = itertools.count(1)


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


def posted_to(slack: SlackHarness, channel: str, since: int) -> list[str]:
    return [
        str(call.params.get("text")) + str(call.params.get("blocks"))
        for call in slack.fake.calls[since:]
        if call.method in ("chat.postMessage", "chat.update", "chat.postEphemeral")
        and call.params.get("channel") == channel
    ]


def raw_markup(answers: list[str]) -> list[str]:
    return [markup for markup in RAW_MARKUP for answer in answers if markup in answer]


@FUZZ
@given(text=hostile_text() | oversize_text())
async def test_any_direct_message_gets_an_answer_with_the_users_markup_escaped(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    user = f"UF{next(_users)}"
    mark = len(slack.fake.calls)
    response = await slack.dm(user, text)

    assert response.status_code == 200
    answers = posted_to(slack, "D" + user, mark)
    assert answers
    assert raw_markup(answers) == []
    assert errors(caplog) == []


@FUZZ
@given(sent=sent_files(), text=st.sampled_from(["", "my booking"]) | hostile_text())
async def test_any_shared_file_is_answered_and_kept_only_as_what_its_content_is(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture, sent: SentFile, text: str
) -> None:
    user = f"UF{next(_users)}"
    await slack.dm(user, "appeal")
    file_id = f"F{user}"
    slack.fake.add_file(file_id, sent.name, sent.declared, sent.content.data)
    mark = len(slack.fake.calls)

    response = await slack.dm(user, text, files=[file_id])

    assert response.status_code == 200
    answers = posted_to(slack, "D" + user, mark)
    assert answers
    assert raw_markup(answers) == []
    assert kept_as(slack.desk, sent.content) <= sent.content.kept_as
    assert errors(caplog) == []


ACTION_IDS = st.one_of(
    st.text(min_size=1, max_size=40),
    st.builds(
        lambda prefix, rest: prefix + rest,
        st.sampled_from([AGENT_ACTION_PREFIX, USER_ACTION_PREFIX]),
        st.text(max_size=30),
    ),
)


@FUZZ
@given(action_id=ACTION_IDS, value=st.text(max_size=60), by_agent=st.booleans())
async def test_any_button_click_is_acknowledged_and_breaks_nothing(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture, action_id: str, value: str, by_agent: bool
) -> None:
    user, channel = (AGENT, AGENTS_CHANNEL) if by_agent else (f"UF{next(_users)}", "DUF0")
    response = await slack.action(user, action_id, value, channel)

    assert response.status_code == 200
    assert errors(caplog) == []
