"""Charts drawn on the server as SVG: geometry here, shapes in templates/usage/_*.html.

Colours come from classes (static/usage/usage.css), never from inline styles, so that the strict
Content-Security-Policy holds. A value withheld by the suppression rule (None) leaves a gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

WIDTH = 640
HEIGHT = 220
LEFT = 44
RIGHT = 12
TOP = 12
BOTTOM = 28


def _ceiling(value: int) -> int:
    """A round top for the axis (1, 2 or 5 times a power of ten) at or above ``value``."""
    top = 1
    while True:
        for step in (1, 2, 5):
            if top * step >= value:
                return top * step
        top *= 10


@dataclass
class Series:
    key: str
    label: Any
    segments: list[str] = field(default_factory=list)  # "x,y x,y …" runs without gaps
    dots: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    series: list[Series] = field(default_factory=list)
    bars: list[dict[str, Any]] = field(default_factory=list)
    ticks: list[dict[str, Any]] = field(default_factory=list)
    labels: list[dict[str, Any]] = field(default_factory=list)
    baseline: float = HEIGHT - BOTTOM
    left: int = LEFT
    right: int = WIDTH - RIGHT

    @property
    def empty(self) -> bool:
        return not any(s.dots for s in self.series) and not any(b["value"] for b in self.bars)


def _frame(chart: Chart, days: list[date], top: int) -> tuple[Any, Any]:
    span = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT - RIGHT) / max(len(days) - 1, 1)

    def x(index: int) -> float:
        return round(LEFT + index * step, 1)

    def y(value: int) -> float:
        return round(TOP + span - span * value / top, 1)

    for fraction in (0, 0.5, 1):
        value = round(top * fraction)
        chart.ticks.append({"y": y(value), "value": value})
    for index, day in enumerate(days):
        if day.weekday() == 0 or index == 0:
            chart.labels.append({"x": x(index), "text": day.strftime("%d/%m")})
    return x, y


def line_chart(days: list[date], series: list[tuple[str, Any, list[int | None]]]) -> Chart:
    """One line per series over ``days``; a None breaks the line."""
    chart = Chart()
    top = _ceiling(max([v for _, _, values in series for v in values if v] or [1]))
    x, y = _frame(chart, days, top)
    for key, label, values in series:
        line = Series(key=key, label=label)
        run: list[str] = []
        for index, value in enumerate(values):
            if value is None:
                if run:
                    line.segments.append(" ".join(run))
                run = []
                continue
            point = (x(index), y(value))
            run.append(f"{point[0]},{point[1]}")
            line.dots.append(point)
        if run:
            line.segments.append(" ".join(run))
        chart.series.append(line)
    return chart


def column_chart(days: list[date], values: list[int | None]) -> Chart:
    """One column per day; a None is no column."""
    chart = Chart()
    top = _ceiling(max([v for v in values if v] or [1]))
    x, y = _frame(chart, days, top)
    width = max((WIDTH - LEFT - RIGHT) / max(len(days), 1) * 0.6, 2)
    for index, value in enumerate(values):
        if value is None:
            continue
        chart.bars.append(
            {
                "x": round(x(index) - width / 2, 1),
                "y": y(value),
                "width": round(width, 1),
                "height": round(chart.baseline - y(value), 1),
                "value": value,
                "day": days[index],
            }
        )
    return chart


BAR_HEIGHT = 22


def bar_chart(items: list[tuple[str, Any, int | None]]) -> Chart:
    """Horizontal bars, one per (key, label, value); a None is listed without a bar."""
    label_width = 200
    top = _ceiling(max([v for _, _, v in items if v] or [1]))
    chart = Chart(height=BAR_HEIGHT * len(items) + 8)
    span = WIDTH - label_width - 70
    for index, (key, label, value) in enumerate(items):
        chart.bars.append(
            {
                "key": key,
                "label": label,
                "value": value,
                "y": 4 + index * BAR_HEIGHT,
                "text_y": 4 + index * BAR_HEIGHT + 15,
                "x": label_width,
                "width": round(span * (value or 0) / top, 1),
                "value_x": round(label_width + span * (value or 0) / top + 6, 1),
            }
        )
    chart.left = label_width
    return chart
