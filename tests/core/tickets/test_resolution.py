"""An agent's decision is a draft the core walks step by step, checks at each step and keeps between them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlmodel import select

from bot.core.prompts import PromptStore, Waiting
from bot.core.tickets.actors import Actor
from bot.core.tickets.decision import MIN_EXPLANATION
from bot.core.tickets.lifecycle import Refused
from bot.core.tickets.resolution import NO_WAITING_PERIOD, ResolutionDraft, Step
from bot.desk import Desk
from bot.store.models import AgentPrompt, Ticket
from tests.chat import ChatUser, file_appeal, open_question

ALICE = Actor("cli", "alice", "alice")
EXPLANATION = "The logins came from a VPN server you used while travelling."
FACTS = "Login history 12-19 Nov, your travel booking."


def walk(draft: ResolutionDraft, answers: list[str | bool]) -> list[Step | None]:
    """Answers each step the draft asks for, in turn; returns the steps it asked, then what it asks next."""
    asked: list[Step | None] = []
    for value in answers:
        step = draft.next_step
        assert step is not None
        asked.append(step)
        draft = draft.answer(step, value)
    return [*asked, draft.next_step]


def test_an_appeal_is_decided_outcome_reason_explanation_facts_and_an_upheld_one_asks_about_appealing_again() -> None:
    upheld = walk(ResolutionDraft.start("appeal"), ["upheld", "identity", EXPLANATION, FACTS, True, "in 30 days"])
    assert upheld == [*Step, None]
    reinstated = walk(ResolutionDraft.start("appeal"), ["reinstated", "our-error", EXPLANATION, FACTS])
    assert reinstated == [Step.OUTCOME, Step.REASON, Step.EXPLANATION, Step.FACTS, None]
    final = walk(ResolutionDraft.start("appeal"), ["upheld", "identity", EXPLANATION, FACTS, False])
    assert final[-2:] == [Step.APPEAL_AGAIN, None]


def test_a_question_starts_at_its_answer_and_is_complete_with_it() -> None:
    draft = ResolutionDraft.start("question")
    assert (draft.outcome, draft.reason, draft.answer_only) == ("answered", "question-answered", True)
    assert walk(draft, ["Yes, screen sharing with a client is fine."]) == [Step.EXPLANATION, None]


def test_each_step_is_checked_as_it_is_given_and_the_choices_are_the_kinds_own() -> None:
    draft = ResolutionDraft.start("appeal")
    assert draft.choices(Step.OUTCOME) == ("reinstated", "upheld", "withdrawn")
    with pytest.raises(Refused) as refused:
        draft.answer(Step.OUTCOME, "answered")
    assert refused.value.code == "outcome"
    chosen = draft.answer(Step.OUTCOME, "upheld").answer(Step.REASON, "identity")
    with pytest.raises(Refused) as refused:
        chosen.answer(Step.EXPLANATION, "too short")
    assert refused.value == Refused("explanation_missing", {"minimum": MIN_EXPLANATION})
    assert chosen.answer(Step.EXPLANATION, f"  {EXPLANATION} ").explanation == EXPLANATION


def test_a_form_fills_every_step_at_once_and_the_first_one_missing_is_refused_in_step_order() -> None:
    with pytest.raises(Refused) as refused:
        ResolutionDraft(kind="appeal").fill({Step.OUTCOME: "upheld", Step.EXPLANATION: "short"})
    assert refused.value.code == "reason"
    with pytest.raises(Refused) as refused:
        ResolutionDraft(kind="appeal").fill(
            {Step.OUTCOME: "upheld", Step.REASON: "identity", Step.EXPLANATION: EXPLANATION, Step.FACTS: FACTS}
        )
    assert refused.value.code == "appeal_again_missing"
    filled = ResolutionDraft(kind="appeal").fill(
        {
            Step.OUTCOME: "upheld",
            Step.REASON: "identity",
            Step.EXPLANATION: EXPLANATION,
            Step.FACTS: FACTS,
            Step.APPEAL_AGAIN: True,
        }
    )
    assert (filled.next_step, filled.appeal_again_after) == (None, NO_WAITING_PERIOD)


def test_a_draft_is_kept_between_steps_and_a_stored_one_the_steps_would_refuse_is_not_read_back(desk: Desk) -> None:
    file_appeal(ChatUser(desk))
    with desk.db.session() as session:
        ticket_id = session.exec(select(Ticket.id)).one() or 0
    prompts = PromptStore(desk.db, "web")
    draft = ResolutionDraft.start("appeal").answer(Step.OUTCOME, "upheld").answer(Step.REASON, "identity")
    prompts.save("agents", 7, Waiting(ticket_id, Step.EXPLANATION, draft, linked=8))
    assert prompts.get("agents", 7) == Waiting(ticket_id, "explanation", draft, linked=8)
    forged = {"kind": "appeal", "outcome": "answered"}
    with desk.db.session() as session:
        session.merge(
            AgentPrompt(
                channel="web", chat_id="agents", message_id="9", ticket_id=ticket_id, step="explanation", draft=forged
            )
        )
    with pytest.raises(ValidationError):
        prompts.get("agents", 9)


def test_the_service_decides_from_a_draft_checked_again_against_the_tickets_own_kind(desk: Desk) -> None:
    appeal = file_appeal(ChatUser(desk))
    draft = ResolutionDraft.start("appeal").fill(
        {Step.OUTCOME: "reinstated", Step.REASON: "our-error", Step.EXPLANATION: EXPLANATION, Step.FACTS: FACTS}
    )
    view = desk.tickets.decide(appeal, ALICE, draft)
    assert (view["status"], view["outcome"], view["facts"]) == ("resolved", "reinstated", FACTS)
    question = open_question(desk, "Can I share my screen with a client over Zoom?")
    with pytest.raises(Refused) as refused:
        desk.tickets.decide(question, ALICE, draft)
    assert refused.value.code == "outcome"
    assert desk.tickets.show(question, ALICE)["status"] == "new"
