"""The geometry of small bar charts, drawn as SVG by templates.

No Django here: numbers in, rectangles out. Templates write the SVG (so
Django escapes every label) with a title, a description and the numbers
as a table beside it; the stylesheet colours the classes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDTH = 720


def nice_ceiling(n: int) -> int:
    """The smallest of 1, 2, 5 × 10^k that is at least ``n`` (0 stays 1),
    so the axis ends on a round number."""
    if n <= 1:
        return 1
    power = 10 ** math.floor(math.log10(n))
    for step in (1, 2, 5, 10):
        if step * power >= n:
            return step * power
    return 10 * power  # pragma: no cover


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str  # the series' class
    label: str  # what the bar stands for, for its <title>
    value: int

    @property
    def middle(self) -> float:
        return self.y + self.height / 2

    @property
    def end(self) -> float:
        return self.x + self.width


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class XLabel:
    x: float
    text: str


@dataclass
class Columns:
    """Columns over time, one group per period, one column per series."""

    width: int
    height: int
    plot_left: int
    plot_bottom: int
    rects: list[Rect] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    xlabels: list[XLabel] = field(default_factory=list)


def columns(
    periods: list[str], series: list[tuple[str, str, list[int]]], height: int = 220
) -> Columns:
    """``series``: (css class, name, one value per period)."""
    left, top, bottom = 56, 10, height - 28
    chart = Columns(width=WIDTH, height=height, plot_left=left, plot_bottom=bottom)
    top_value = nice_ceiling(max((max(v, default=0) for _c, _n, v in series), default=0))
    plot_height = bottom - top
    group = (WIDTH - left - 8) / max(len(periods), 1)
    column = group * 0.8 / max(len(series), 1)
    for i, period in enumerate(periods):
        for j, (css, name, values) in enumerate(series):
            h = plot_height * values[i] / top_value
            x = left + i * group + group * 0.1 + j * column
            chart.rects.append(Rect(x, bottom - h, column, h, css, f"{period}, {name}", values[i]))
    for value in (0, top_value // 2, top_value):
        chart.ticks.append(Tick(bottom - plot_height * value / top_value, f"{value:,}"))
    # First, middle and last periods: enough to read the axis at any length.
    for i in sorted({0, len(periods) // 2, len(periods) - 1} if periods else set()):
        chart.xlabels.append(XLabel(left + i * group + group / 2, periods[i]))
    return chart


@dataclass
class Bars:
    """Horizontal bars, one row per item, largest first."""

    width: int
    height: int
    label_width: int
    rects: list[Rect] = field(default_factory=list)


ROW = 26
LABEL_WIDTH = 300
LABEL_CHARS = 42


def short(text: str, chars: int = LABEL_CHARS) -> str:
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def bars(rows: list[tuple[str, int]], css: str = "bar") -> Bars:
    """``rows``: (label, value); the label is cut to fit, the full one is
    the bar's title and in the table."""
    chart = Bars(width=WIDTH, height=ROW * len(rows) + 4, label_width=LABEL_WIDTH)
    top_value = max((v for _label, v in rows), default=0) or 1
    room = WIDTH - LABEL_WIDTH - 70  # the value is written after the bar
    for i, (label, value) in enumerate(rows):
        width = max(room * value / top_value, 1)
        chart.rects.append(Rect(LABEL_WIDTH, i * ROW + 4, width, ROW - 8, css, label, value))
    return chart
