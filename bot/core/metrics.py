"""What supervisors watch: the figures of the desk over a range of days, from what the core records.

Every figure reads rows recorded as things happen: the tickets' own times (opened, first response,
decided), the scheduler's `escalated` events (a missed promise), and the rule answers' log (what the
bot answered, the helpfulness votes, and whether the user then asked for a person). Each query is
plain SQL bounded by the range, the same on SQLite and PostgreSQL; grouping by week and percentiles
are computed here, since the two databases share no function for either.

A figure is a header and rows, the first column naming the row (a status, a week, an entry), so
every surface can show it as a table, draw it, or write it as CSV.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.tickets.lifecycle import ENDINGS, OPEN_STATUSES, STATUSES
from bot.store.db import Database
from bot.store.models import RuleAnswer, Ticket, TicketEvent

DEFAULT_WEEKS = 8
MAX_DAYS = 366 * 2  # a range the page can draw; anything longer is cut to the last two years
# How long an open appeal has waited so far: (label, up to this age; None: anything older).
AGES: tuple[tuple[str, timedelta | None], ...] = (
    ("under 1 day", timedelta(days=1)),
    ("1 to 3 days", timedelta(days=3)),
    ("3 to 7 days", timedelta(days=7)),
    ("1 to 2 weeks", timedelta(days=14)),
    ("over 2 weeks", None),
)
ANSWERED = ("confident", "chosen")  # an entry was shown: confidently, or the one the user picked
TOP_ENTRIES = 10
Cell = str | int | float | None


@dataclass(frozen=True)
class Figure:
    """A figure's numbers: `columns` names them, each row's first cell says what the row is."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Period:
    """The days a figure covers, `first` to `last` inclusive (UTC)."""

    first: date
    last: date

    @classmethod
    def recent(cls, today: date, weeks: int = DEFAULT_WEEKS) -> Period:
        """The current week and the `weeks - 1` before it, from a Monday to today."""
        return cls(monday(today) - timedelta(weeks=weeks - 1), today)

    @classmethod
    def chosen(cls, first: str, last: str, today: date) -> Period:
        """The range a page asked for (ISO dates); what cannot be read falls back to the recent weeks."""
        default = cls.recent(today)
        try:
            start = date.fromisoformat(first) if first else default.first
            end = date.fromisoformat(last) if last else default.last
        except ValueError:
            return default
        start, end = min(start, end), max(start, end)
        return cls(max(start, end - timedelta(days=MAX_DAYS)), end)

    @property
    def since(self) -> datetime:
        return datetime.combine(self.first, time(), UTC)

    @property
    def until(self) -> datetime:
        """The first moment after the range."""
        return datetime.combine(self.last + timedelta(days=1), time(), UTC)

    def weeks(self) -> list[date]:
        """The Mondays of the weeks the range touches, so a week with nothing still has its row."""
        start, end = monday(self.first), monday(self.last)
        return [start + timedelta(weeks=n) for n in range((end - start).days // 7 + 1)]


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_of(moment: datetime) -> date:
    return monday(_utc(moment).date())


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time the core stores is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value that at least `share` of the values do not exceed."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


def status_counts(session: Session, period: Period, kind: str, now: datetime) -> Figure:
    """Tickets of `kind` opened in the range, by the status they are in now."""
    opened = session.exec(
        select(Ticket.status).where(
            Ticket.kind == kind, col(Ticket.created_at) >= period.since, col(Ticket.created_at) < period.until
        )
    )
    counts = Counter(opened)
    return Figure(("status", "tickets"), tuple((status, counts[status]) for status in STATUSES))


def open_ages(session: Session, period: Period, kind: str, now: datetime) -> Figure:
    """Open tickets of `kind` opened in the range, by how long they have waited so far."""
    opened = session.exec(
        select(Ticket.created_at).where(
            Ticket.kind == kind,
            col(Ticket.status).in_(OPEN_STATUSES),
            col(Ticket.created_at) >= period.since,
            col(Ticket.created_at) < period.until,
        )
    )
    counts = Counter(_age_bucket(now - _utc(created)) for created in opened)
    return Figure(("age", "tickets"), tuple((label, counts[label]) for label, _ in AGES))


def _age_bucket(age: timedelta) -> str:
    return next(label for label, limit in AGES if limit is None or age < limit)


def _weekly_times(period: Period, pairs: Iterable[tuple[datetime, datetime]]) -> Figure:
    """Per week of the later moment: how many, and the p50 and p90 of the time from the earlier one."""
    durations: dict[date, list[float]] = defaultdict(list)
    for start, end in pairs:
        durations[week_of(end)].append((_utc(end) - _utc(start)).total_seconds())
    return Figure(
        ("week", "tickets", "p50_hours", "p90_hours"),
        tuple(
            (
                week.isoformat(),
                len(durations[week]),
                hours(percentile(durations[week], 0.5)),
                hours(percentile(durations[week], 0.9)),
            )
            for week in period.weeks()
        ),
    )


def _times_until(session: Session, period: Period, kind: str, moment: datetime | None) -> Figure:
    """From opening to `moment` (a column of the ticket), per week of that moment."""
    at = col(moment)
    rows = session.exec(
        select(Ticket.created_at, at).where(Ticket.kind == kind, at.is_not(None), at >= period.since, at < period.until)
    )
    return _weekly_times(period, ((opened, then) for opened, then in rows if then is not None))


def first_response_times(session: Session, period: Period, kind: str, now: datetime) -> Figure:
    """From opening to the first response (a claim, a reply or a question to the user), by the response's week."""
    return _times_until(session, period, kind, Ticket.first_response_at)


def decision_times(session: Session, period: Period, kind: str, now: datetime) -> Figure:
    """From opening to the decision, by the decision's week (a reopened ticket counts at its latest decision)."""
    return _times_until(session, period, kind, Ticket.resolved_at)


def breaches(session: Session, period: Period, kind: str, now: datetime) -> Figure:
    """Promises missed each week: the scheduler's escalations, by the target missed."""
    rows = session.exec(
        select(TicketEvent.at, TicketEvent.data)
        .join(Ticket, col(Ticket.id) == col(TicketEvent.ticket_id))
        .where(
            Ticket.kind == kind,
            TicketEvent.action == "escalated",
            col(TicketEvent.at) >= period.since,
            col(TicketEvent.at) < period.until,
        )
    )
    missed: Counter[tuple[date, str]] = Counter((week_of(at), str(data.get("missed"))) for at, data in rows)
    return Figure(
        ("week", "first_response", "resolution"),
        tuple(
            (week.isoformat(), missed[week, "first_response"], missed[week, "resolution"]) for week in period.weeks()
        ),
    )


def _answers(session: Session, period: Period) -> list[RuleAnswer]:
    return list(
        session.exec(select(RuleAnswer).where(col(RuleAnswer.at) >= period.since, col(RuleAnswer.at) < period.until))
    )


def deflection(session: Session, period: Period, kind: str, now: datetime) -> Figure:
    """Rule questions each week, and how many were answered from the knowledge base without a person.

    A question is asked once (`chosen` rows are the entry picked from the choices of an earlier
    question); it counts as answered without a person when an entry was shown and the user did not
    ask for a person after it.
    """
    asked: Counter[date] = Counter()
    answered: Counter[date] = Counter()
    handed: Counter[date] = Counter()
    for answer in _answers(session, period):
        week = week_of(answer.at)
        asked[week] += answer.outcome != "chosen"
        if answer.outcome in ANSWERED:
            answered[week] += 1
            handed[week] += answer.person_asked_at is not None
    rows = []
    for week in period.weeks():
        alone = answered[week] - handed[week]
        rate = round(100 * alone / asked[week], 1) if asked[week] else None
        rows.append((week.isoformat(), asked[week], answered[week], handed[week], alone, rate))
    return Figure(
        ("week", "questions", "answered", "then_asked_a_person", "answered_without_a_person", "percent"), tuple(rows)
    )


def votes(session: Session, period: Period, kind: str, now: datetime) -> Figure:
    """Each entry's "was this helpful?" answers, the most voted first."""
    tally: dict[str, Counter[bool]] = defaultdict(Counter)
    for answer in _answers(session, period):
        if answer.entry_id and answer.helpful is not None:
            tally[answer.entry_id][answer.helpful] += 1
    ordered = sorted(tally.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    return Figure(("entry", "helpful", "not_helpful"), tuple((entry, c[True], c[False]) for entry, c in ordered))


def handoffs(session: Session, period: Period, kind: str, now: datetime) -> Figure:
    """The entries most often followed by "talk to a person", with how often each was shown."""
    shown: Counter[str] = Counter()
    handed: Counter[str] = Counter()
    for answer in _answers(session, period):
        if answer.entry_id and answer.outcome in ANSWERED:
            shown[answer.entry_id] += 1
            handed[answer.entry_id] += answer.person_asked_at is not None
    top = sorted((entry for entry in handed if handed[entry]), key=lambda entry: (-handed[entry], entry))
    return Figure(("entry", "then_asked_a_person", "shown"), tuple((e, handed[e], shown[e]) for e in top[:TOP_ENTRIES]))


Compute = Callable[[Session, Period, str, datetime], Figure]
# Each figure by the name its CSV is downloaded under.
FIGURES: dict[str, Compute] = {
    "status": status_counts,
    "age": open_ages,
    "first-response": first_response_times,
    "decision": decision_times,
    "breaches": breaches,
    "deflection": deflection,
    "votes": votes,
    "handoffs": handoffs,
}
KINDS = tuple(ENDINGS)


class Metrics:
    """The figures over the database, as of the clock's now."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def today(self) -> date:
        return _utc(self.clock.now()).date()

    def figures(self, period: Period, kind: str, names: Sequence[str] = tuple(FIGURES)) -> dict[str, Figure]:
        """The named figures, all read in one transaction so they agree with each other."""
        now = self.clock.now()
        with self.db.session() as session:
            return {name: FIGURES[name](session, period, kind, now) for name in names}
