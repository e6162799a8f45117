"""The supervisors' metrics: each figure of core/metrics.py as a chart, a table and a CSV download.

The range comes from the page (`from`, `to`, ISO dates; the last 8 weeks by default) and the kind of
ticket from `kind`; the CSV of a chart is `/console/metrics/NAME.csv` with the same query string.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.core.accounts import Role
from bot.core.metrics import FIGURES, KINDS, Cell, Figure, Period
from bot.web.console.auth import requires
from bot.web.console.charts import Series, bar_chart, legend
from bot.web.console.pages import desk_of, render

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet would run as a formula


@dataclass(frozen=True)
class Chart:
    """How the page shows a figure: its title, what it says, and which columns are drawn."""

    title: str
    description: str
    drawn: tuple[str, ...]
    per_kind: bool = True  # the rule-answer figures do not depend on the tickets' kind


CHARTS: dict[str, Chart] = {
    "status": Chart("By status", "Tickets opened in the range, by the status they are in now.", ("tickets",)),
    "age": Chart(
        "Open, by age", "Tickets opened in the range and still open, by how long they have waited so far.", ("tickets",)
    ),
    "first-response": Chart(
        "Time to first response",
        "Hours from opening to the first claim, reply or question, per week of the response: median and 90th percentile.",
        ("p50_hours", "p90_hours"),
    ),
    "decision": Chart(
        "Time to decision",
        "Hours from opening to the decision, per week of the decision: median and 90th percentile.",
        ("p50_hours", "p90_hours"),
    ),
    "breaches": Chart(
        "Promises missed",
        "Escalations per week: a first response or a decision later than promised.",
        ("first_response", "resolution"),
    ),
    "deflection": Chart(
        "Rule questions answered without a person",
        "Rule questions per week, and how many an entry answered with no request for a person after it.",
        ("questions", "answered_without_a_person"),
        per_kind=False,
    ),
    "votes": Chart(
        "Helpfulness votes per entry",
        'Answers to "Was this helpful?" for each knowledge entry, the most voted first.',
        ("helpful", "not_helpful"),
        per_kind=False,
    ),
    "handoffs": Chart(
        'Entries most often followed by "talk to a person"',
        "How often users asked for a person after each entry, beside how often it was shown.",
        ("then_asked_a_person", "shown"),
        per_kind=False,
    ),
}


def _choice(request: Request) -> tuple[Period, str]:
    params = request.query_params
    today = desk_of(request).metrics.today()
    period = Period.chosen(params.get("from", ""), params.get("to", ""), today)
    kind = params.get("kind", "appeal")
    return period, kind if kind in KINDS else "appeal"


def _query(period: Period, kind: str) -> str:
    return urlencode({"from": period.first.isoformat(), "to": period.last.isoformat(), "kind": kind})


def heading(column: str) -> str:
    return column.replace("_", " ").replace("p50", "median").replace("p90", "90th percentile")


def _category(cell: Cell) -> str:
    """A week's Monday reads as "2 Nov"; anything else as it is."""
    text = str(cell)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return text
    return f"{day.day} {day:%b}"


def _drawn(name: str, figure: Figure) -> dict[str, Any]:
    chart = CHARTS[name]
    series = [
        Series(heading(column), [_number(row[figure.columns.index(column)]) for row in figure.rows])
        for column in chart.drawn
    ]
    categories = [_category(row[0]) for row in figure.rows]
    return {
        "name": name,
        "chart": chart,
        "figure": figure,
        "headings": [heading(column) for column in figure.columns],
        "svg": bar_chart(f"chart-{name}", chart.title, chart.description, categories, series) if figure.rows else None,
        "legend": legend(series),
    }


def _number(cell: Cell) -> float | None:
    return float(cell) if isinstance(cell, int | float) else None


@requires(Role.SUPERVISOR)
async def metrics(request: Request) -> Response:
    period, kind = _choice(request)
    figures = await run_in_threadpool(desk_of(request).metrics.figures, period, kind)
    context = {
        "period": period,
        "kind": kind,
        "kinds": KINDS,
        "query": _query(period, kind),
        "charts": [_drawn(name, figure) for name, figure in figures.items()],
    }
    return render(request, "metrics.html", context)


def _csv_cell(cell: Cell) -> Cell:
    """An entry id or any text is written so a spreadsheet never runs it as a formula."""
    return f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_START) else cell


@requires(Role.SUPERVISOR)
async def metrics_csv(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in FIGURES:
        raise HTTPException(404, "There is no such chart.")
    period, kind = _choice(request)
    figures = await run_in_threadpool(desk_of(request).metrics.figures, period, kind, [name])
    figure = figures[name]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(figure.columns)
    writer.writerows([_csv_cell(cell) for cell in row] for row in figure.rows)
    suffix = f"-{kind}" if CHARTS[name].per_kind else ""
    filename = f"appealdesk-{name}{suffix}-{period.first.isoformat()}-to-{period.last.isoformat()}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


ROUTES = [
    Route("/metrics", metrics, name="metrics"),
    Route("/metrics/{name:str}.csv", metrics_csv, name="metrics_csv"),
]
