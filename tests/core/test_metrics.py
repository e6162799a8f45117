"""The supervisors' figures, from a desk worked through two weeks on a manual clock, checked exactly."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, select

from bot.core.clock import ManualClock
from bot.core.metrics import Metrics, Period, percentile
from bot.core.tickets.actors import Actor
from bot.desk import Desk
from bot.store.models import RuleAnswer
from tests.chat import ChatUser, file_appeal

ALICE = Actor("cli", "alice", "alice")
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
TWO_WEEKS = Period(date(2026, 11, 2), date(2026, 11, 10))
VPN_QUESTION = "is it allowed to use a vpn when i work?"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def work_two_weeks(desk: Desk, clock: ManualClock) -> str:
    """Appeals answered after 2, 4 and 6 hours and decided after 10 and 192; promises missed;
    rule questions answered, voted on, and one passed on to a person. Returns the VPN entry's id."""
    first, second, third = (file_appeal(ChatUser(desk, name), account=f"{name}_dev") for name in ("ana", "ben", "cleo"))
    clock.advance(hours=2)
    desk.tickets.claim(first, ALICE)
    clock.advance(hours=2)
    desk.tickets.claim(second, ALICE)
    clock.advance(hours=2)
    desk.tickets.request_info(third, ALICE, "Please send your travel booking.")  # the clock pauses
    clock.advance(hours=4)
    desk.tickets.resolve(
        first,
        ALICE,
        "reinstated",
        "location-or-vpn",
        "The logins came from your VPN, as you said.",
        "Login history of 1 to 2 Nov",
    )
    file_appeal(ChatUser(desk, "dan"), account="dan_dev")  # never answered: both of its promises are missed

    asker = ChatUser(desk, "eve")
    asker.send(VPN_QUESTION)
    asker.press("No")
    asker.press("Talk to a person")
    asker.press("Send that question")
    happy = ChatUser(desk, "finn")
    happy.send(VPN_QUESTION)
    happy.press("Yes, this helped")
    ChatUser(desk, "gus").send("what is the weather in Lisbon tomorrow?")

    clock.advance(hours=63)  # Thu 5 Nov 10:00: ben's decision and dan's first response are late
    desk.scheduler.run_once()
    clock.advance(hours=119)  # Tue 10 Nov 09:00: dan's decision is late too
    desk.scheduler.run_once()
    desk.tickets.resolve(
        second,
        ALICE,
        "upheld",
        "conduct",
        "The messages broke the conduct rules we quoted.",
        "Messages of 28 Oct to the client",
        False,
    )
    chooser = ChatUser(desk, "hana")
    chooser.send("fees")
    chooser.press(chooser.labels()[0])
    file_appeal(ChatUser(desk, "ivy"), account="ivy_dev")  # just filed
    with desk.db.session() as session:
        answer = session.exec(select(RuleAnswer).order_by(col(RuleAnswer.id))).first()
        assert answer is not None and answer.entry_id
        return answer.entry_id


def test_every_figure_of_two_worked_weeks(desk: Desk, clock: ManualClock) -> None:
    vpn = work_two_weeks(desk, clock)
    figures = Metrics(desk.db, clock).figures(TWO_WEEKS, "appeal")

    assert figures["status"].rows == (("new", 2), ("in_review", 0), ("awaiting_user", 1), ("resolved", 2))
    assert figures["age"].rows == (
        ("under 1 day", 1),
        ("1 to 3 days", 0),
        ("3 to 7 days", 0),
        ("1 to 2 weeks", 2),
        ("over 2 weeks", 0),
    )
    assert figures["first-response"].columns == ("week", "tickets", "p50_hours", "p90_hours")
    assert figures["first-response"].rows == (("2026-11-02", 3, 4.0, 6.0), ("2026-11-09", 0, None, None))
    assert figures["decision"].rows == (("2026-11-02", 1, 10.0, 10.0), ("2026-11-09", 1, 192.0, 192.0))
    assert figures["breaches"].rows == (("2026-11-02", 1, 1), ("2026-11-09", 0, 1))
    assert figures["deflection"].rows == (("2026-11-02", 3, 2, 1, 1, 33.3), ("2026-11-09", 1, 1, 0, 1, 100.0))
    assert figures["votes"].rows == ((vpn, 1, 1),)
    assert figures["handoffs"].rows == ((vpn, 1, 2),)


def test_figures_are_bounded_by_the_range_and_the_kind(desk: Desk, clock: ManualClock) -> None:
    work_two_weeks(desk, clock)
    metrics = Metrics(desk.db, clock)
    second_week = metrics.figures(Period(date(2026, 11, 9), date(2026, 11, 15)), "appeal")
    assert second_week["status"].rows == (("new", 1), ("in_review", 0), ("awaiting_user", 0), ("resolved", 0))
    assert second_week["decision"].rows == (("2026-11-09", 1, 192.0, 192.0),)
    assert second_week["votes"].rows == () and second_week["handoffs"].rows == ()
    questions = metrics.figures(TWO_WEEKS, "question", ["status"])
    assert questions["status"].rows == (("new", 1), ("in_review", 0), ("awaiting_user", 0), ("resolved", 0))


def test_a_range_is_read_forgivingly_and_defaults_to_the_last_eight_weeks() -> None:
    today = date(2026, 11, 25)  # a Wednesday
    recent = Period.recent(today)
    assert (recent.first, recent.last, len(recent.weeks())) == (date(2026, 10, 5), today, 8)
    assert Period.chosen("", "", today) == recent and Period.chosen("last week", "", today) == recent
    assert Period.chosen("2026-11-20", "2026-11-01", today) == Period(date(2026, 11, 1), date(2026, 11, 20))
    assert Period.chosen("2000-01-01", "2026-11-20", today).first == date(2024, 11, 18)


def test_percentiles_are_nearest_rank() -> None:
    assert (percentile(range(1, 11), 0.5), percentile(range(1, 11), 0.9), percentile([7], 0.9)) == (5, 9, 7)  # type: ignore[arg-type]
    assert percentile([], 0.5) is None
