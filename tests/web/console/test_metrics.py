"""/console/metrics: supervisors' charts with their numbers in tables and as CSV; agents get 403."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.clock import ManualClock
from bot.core.metrics import FIGURES, Period
from bot.core.tickets.actors import CONSOLE, Actor
from bot.desk import Desk
from bot.web.console.metrics import CHARTS, _csv_cell
from tests.chat import ChatUser, file_appeal
from tests.web.console.conftest import Console

ALICE = Actor(CONSOLE, "alice", "alice")
RANGE = "from=2026-11-16&to=2026-11-25&kind=appeal"


def test_every_figure_has_a_chart_that_draws_columns_it_has(desk: Desk) -> None:
    figures = desk.metrics.figures(Period.recent(desk.metrics.today()), "appeal")
    assert CHARTS.keys() == FIGURES.keys() == figures.keys()
    for name, chart in CHARTS.items():
        assert chart.drawn and set(chart.drawn) <= set(figures[name].columns), name


@pytest.mark.parametrize("path", ["/console/metrics", "/console/metrics/status.csv"])
def test_agents_get_403_and_supervisors_and_admins_the_metrics(console: Console, accounts: Desk, path: str) -> None:
    console.sign_in("alice")
    assert console.get(path).status_code == 403  # type: ignore[attr-defined]
    for name in ("sam", "root"):
        console.client.cookies.clear()
        console.sign_in(name)
        assert console.get(path).status_code == 200, name  # type: ignore[attr-defined]


def test_each_chart_is_an_accessible_svg_with_its_numbers_in_a_table_and_a_csv_link(
    console: Console, accounts: Desk, clock: ManualClock
) -> None:
    reference = file_appeal(ChatUser(accounts))
    clock.advance(hours=3)
    accounts.tickets.claim(reference, ALICE)
    console.sign_in("sam")
    page: Any = console.get(f"/console/metrics?{RANGE}")
    text = page.text
    assert page.status_code == 200 and 'value="2026-11-16"' in text and 'value="2026-11-25"' in text
    for name in CHARTS:
        assert f'<h2 id="{name}">' in text, name
        assert f'/console/metrics/{name}.csv?{RANGE.replace("&", "&amp;")}"' in text, name
    svg = text[text.index('id="first-response"') : text.index('id="decision"')]
    assert 'role="img" aria-labelledby="chart-first-response-title chart-first-response-desc"' in svg
    assert '<title id="chart-first-response-title">Time to first response</title>' in svg
    assert '<th scope="row">2026-11-23</th><td>1</td><td>3.0</td><td>3.0</td>' in svg
    assert "<title>median hours: 3</title>" in svg
    assert "Nothing recorded in this range." in text  # no rule question was asked


def test_a_chart_downloads_as_csv_with_its_name_and_range(console: Console, accounts: Desk, clock: ManualClock) -> None:
    reference = file_appeal(ChatUser(accounts))
    clock.advance(hours=3)
    accounts.tickets.claim(reference, ALICE)
    console.sign_in("sam")
    status: Any = console.get(f"/console/metrics/status.csv?{RANGE}")
    assert status.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        status.headers["content-disposition"]
        == 'attachment; filename="appealdesk-status-appeal-2026-11-16-to-2026-11-25.csv"'
    )
    assert status.text == "status,tickets\r\nnew,0\r\nin_review,1\r\nawaiting_user,0\r\nresolved,0\r\n"
    first: Any = console.get(f"/console/metrics/first-response.csv?{RANGE}")
    assert first.text == ("week,tickets,p50_hours,p90_hours\r\n2026-11-16,0,,\r\n2026-11-23,1,3.0,3.0\r\n")
    votes: Any = console.get("/console/metrics/votes.csv")  # the last 8 weeks, and no kind in the name
    assert votes.text == "entry,helpful,not_helpful\r\n"
    assert votes.headers["content-disposition"].endswith('filename="appealdesk-votes-2026-10-05-to-2026-11-25.csv"')
    assert console.get("/console/metrics/nothing.csv").status_code == 404  # type: ignore[attr-defined]


def test_a_csv_cell_is_never_a_spreadsheet_formula() -> None:
    assert [_csv_cell(cell) for cell in ("=HYPERLINK(1)", "-1", "vpn-use", 3, None)] == [
        "'=HYPERLINK(1)",
        "'-1",
        "vpn-use",
        3,
        None,
    ]
