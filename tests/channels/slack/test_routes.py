"""Routing of the agents' clicks and submissions: one bolt listener each, behind the agents-only middleware."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from bot.channels.slack.agents import FIRST_FIELD
from bot.channels.slack.card import AGENT_ACTION_PREFIX
from bot.core.tickets.actions import TicketState, available_actions
from bot.store.models import TicketEvent
from tests.channels.slack.conftest import AGENT, AGENTS_CHANNEL, SlackHarness, typed
from tests.channels.slack.flows import appeal_in_dm

STALE = "That button belongs to an earlier message"
REFUSED = "only support agents"


def events(slack: SlackHarness) -> int:
    with slack.desk.db.session() as session:
        return session.exec(select(func.count()).select_from(TicketEvent)).one()


@pytest.mark.parametrize("name", [offer.action.value for offer in available_actions(TicketState("new"))])
async def test_every_card_button_refuses_someone_who_is_not_an_agent_and_nothing_else_answers(
    slack: SlackHarness, name: str
) -> None:
    await appeal_in_dm(slack, "U1")
    await slack.deliver()

    response = await slack.action("UOTHER", *slack.card_button(name), AGENTS_CHANNEL)

    assert response.status_code == 200
    [note] = slack.fake.to("chat.postEphemeral", user="UOTHER", channel=AGENTS_CHANNEL)
    assert REFUSED in note["text"] and "uother" in note["text"] and STALE not in note["text"]
    assert slack.fake.to("views.open") == []


@pytest.mark.parametrize("callback_id", sorted(FIRST_FIELD))
async def test_every_agents_modal_refuses_a_submission_by_someone_who_is_not_an_agent_on_its_first_field(
    slack: SlackHarness, callback_id: str
) -> None:
    reference = await appeal_in_dm(slack, "U1")
    await slack.deliver()
    before = events(slack)

    response = await slack.submit("UOTHER", callback_id, {"message": typed("sneaky")}, reference)

    answer = response.json()
    assert answer["response_action"] == "errors"
    assert (
        list(answer["errors"]) == [FIRST_FIELD[callback_id]] and REFUSED in answer["errors"][FIRST_FIELD[callback_id]]
    )
    assert events(slack) == before


@pytest.mark.parametrize("user", [AGENT, "UOTHER"])
async def test_a_card_button_no_listener_knows_is_answered_as_stale(slack: SlackHarness, user: str) -> None:
    await slack.action(user, AGENT_ACTION_PREFIX + "escalate", "appeal:AP-1", AGENTS_CHANNEL)

    [note] = slack.fake.to("chat.postEphemeral", user=user, channel=AGENTS_CHANNEL)
    assert STALE in note["text"]


async def test_an_agents_button_with_an_empty_value_is_refused_as_no_such_ticket(slack: SlackHarness) -> None:
    await slack.action(AGENT, AGENT_ACTION_PREFIX + "claim", "", AGENTS_CHANNEL)

    [note] = slack.fake.to("chat.postEphemeral", user=AGENT, channel=AGENTS_CHANNEL)
    assert "There is no ticket" in note["text"]
