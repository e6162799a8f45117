"""Bar charts drawn on the server as SVG: no script, readable by a screen reader, the numbers beside them.

Each chart is an image with a title and a description (`role="img"`, `aria-labelledby`); the page
shows the same numbers in a table, so nothing is only in the picture. Every text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP = 48, 8, 12  # room for the value axis
TICKS = 4
SHORT_LABEL = 8  # longer category labels (entry ids) are slanted, with room below for them


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def nice_top(largest: float) -> float:
    """The axis' top: 1, 2 or 5 times a power of ten, the smallest one at or above `largest`."""
    if largest <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(largest))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= largest)


def _number(value: float) -> str:
    return f"{value:g}"


def bar_chart(key: str, title: str, description: str, categories: Sequence[str], series: Sequence[Series]) -> Markup:
    """Grouped bars, one group per category and one bar per series (a missing value draws no bar)."""
    values = [value for one in series for value in one.values if value is not None]
    top = nice_top(max(values, default=0))
    longest = max((len(category) for category in categories), default=0)
    slanted = longest > SHORT_LABEL
    bottom = min(160, 12 + int(longest * 5.2)) if slanted else 28
    height_total = HEIGHT + (bottom - 28)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - 28
    group = plot_width / max(1, len(categories))
    bar = group * 0.8 / max(1, len(series))
    parts = [
        Markup('<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc">').format(
            WIDTH, height_total, key, key
        ),
        Markup('<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>').format(key, title, key, description),
    ]
    for tick in range(TICKS + 1):
        y = TOP + plot_height - plot_height * tick / TICKS
        parts.append(
            Markup('<line class="grid" x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}"/>').format(LEFT, WIDTH - RIGHT, y, y)
        )
        parts.append(
            Markup('<text class="axis" x="{}" y="{:.1f}" text-anchor="end">{}</text>').format(
                LEFT - 6, y + 4, _number(top * tick / TICKS)
            )
        )
    for index, category in enumerate(categories):
        x = LEFT + group * index + group * 0.1
        for number, one in enumerate(series):
            value = one.values[index]
            if value is None:
                continue
            height = plot_height * value / top
            parts.append(
                Markup(
                    '<rect class="s{}" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}"><title>{}: {}</title></rect>'
                ).format(number, x + bar * number, TOP + plot_height - height, bar, height, one.name, _number(value))
            )
        centre, baseline = x + group * 0.4, TOP + plot_height + 16
        if slanted:
            parts.append(
                Markup(
                    '<text class="axis" x="{:.1f}" y="{}" text-anchor="end" transform="rotate(-35 {:.1f} {})">{}</text>'
                ).format(centre, baseline, centre, baseline, category)
            )
        else:
            parts.append(
                Markup('<text class="axis" x="{:.1f}" y="{}" text-anchor="middle">{}</text>').format(
                    centre, baseline, category
                )
            )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def legend(series: Sequence[Series]) -> Markup:
    """The series' colours, in words too; hidden from screen readers, which have the table."""
    items = (
        Markup('<li><span class="swatch s{}"></span>{}</li>').format(number, one.name)
        for number, one in enumerate(series)
    )
    return Markup('<ul class="legend" aria-hidden="true">{}</ul>').format(Markup("").join(items))
