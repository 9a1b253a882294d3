"""Accessible SVG charts drawn on the server: no chart library, no script, nothing to download.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by a ``<desc>``
that states the figures in words; every bar and point carries its own ``<title>`` and a visible
text label, so a screen reader, a printout and a colour-blind reader get the numbers too. The
page's tables hold the same figures. Pure: takes rows with ``label``, ``items``, ``overturned``,
``rate`` and ``interval`` (``stats.Rate``) and returns markup as a string with all text escaped.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from html import escape
from typing import Protocol

_ids = itertools.count(1)

BAR_COLOUR = "#0b5cad"
WHISKER_COLOUR = "#1b1f24"
GRID_COLOUR = "#d5dae0"
TEXT_COLOUR = "#1b1f24"
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


class RateRow(Protocol):
    label: str
    items: int
    overturned: int

    @property
    def rate(self) -> float | None: ...

    @property
    def interval(self) -> tuple[float, float]: ...


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _summary(row: RateRow) -> str:
    low, high = row.interval
    return (
        f"{row.label}: {percent(row.rate)} overturned ({row.overturned} of {row.items}; "
        f"95% interval {percent(low)} to {percent(high)})"
    )


def _open(width: int, height: int, title: str, description: str) -> tuple[str, str]:
    n = next(_ids)
    title_id, desc_id = f"chart-{n}-title", f"chart-{n}-desc"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{title_id} {desc_id}">'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape(description)}</desc>'
    )
    return head, "</svg>"


def _axis(x0: float, scale: float, top: float, bottom: float) -> list[str]:
    parts = []
    for tick in (0, 25, 50, 75, 100):
        x = x0 + scale * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
            f'<text x="{x:.1f}" y="{bottom + 14}" text-anchor="middle" {FONT} '
            f'fill="{TEXT_COLOUR}">{tick}%</text>'
        )
    return parts


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def rate_bars(rows: Sequence[RateRow], *, title: str, description: str = "") -> str:
    """Horizontal bars of overturn rate, one per row, with 95% interval whiskers."""
    rows = [row for row in rows if row.items]
    label_width, bar_width, value_width, row_height, top = 230, 360, 150, 26, 8
    width = label_width + bar_width + value_width
    height = top + row_height * max(len(rows), 1) + 24
    words = description or (
        "Horizontal bars show the share of items overturned; black lines show the 95% "
        "Wilson interval. "
    )
    words += " ".join(_summary(row) + "." for row in rows) if rows else "No matching items."
    head, tail = _open(width, height, title, words)
    parts = [head, *_axis(label_width, bar_width, top, height - 24)]
    for index, row in enumerate(rows):
        y = top + index * row_height
        low, high = row.interval
        rate = row.rate or 0.0
        middle = y + row_height / 2
        parts.append(
            f"<g><title>{escape(_summary(row))}</title>"
            f'<text x="{label_width - 8}" y="{middle + 4:.1f}" text-anchor="end" {FONT} '
            f'fill="{TEXT_COLOUR}">{escape(_truncate(row.label, 34))}</text>'
            f'<rect x="{label_width}" y="{y + 5}" width="{bar_width * rate:.1f}" '
            f'height="{row_height - 10}" fill="{BAR_COLOUR}"/>'
            f'<line x1="{label_width + bar_width * low:.1f}" y1="{middle:.1f}" '
            f'x2="{label_width + bar_width * high:.1f}" y2="{middle:.1f}" '
            f'stroke="{WHISKER_COLOUR}" stroke-width="1.5"/>'
        )
        for bound in (low, high):
            x = label_width + bar_width * bound
            parts.append(
                f'<line x1="{x:.1f}" y1="{middle - 5:.1f}" x2="{x:.1f}" y2="{middle + 5:.1f}" '
                f'stroke="{WHISKER_COLOUR}" stroke-width="1.5"/>'
            )
        parts.append(
            f'<text x="{label_width + bar_width + 8}" y="{middle + 4:.1f}" {FONT} '
            f'fill="{TEXT_COLOUR}">{percent(row.rate)} (n={row.items})</text></g>'
        )
    parts.append(tail)
    return "".join(parts)


def yearly_trend(rows: Sequence[RateRow], *, title: str, description: str = "") -> str:
    """Overturn rate year by year: a line through each year's rate, with interval whiskers,
    and the number of items under each year."""
    rows = [row for row in rows if row.items]
    left, right, top, plot_height = 48, 16, 12, 200
    step = max(64, 480 // max(len(rows), 1))
    width = left + right + step * max(len(rows), 1)
    height = top + plot_height + 44
    words = description or (
        "A line joins each decision year's overturn rate; vertical lines show the 95% Wilson "
        "interval. "
    )
    words += " ".join(_summary(row) + "." for row in rows) if rows else "No matching items."
    head, tail = _open(width, height, title, words)
    bottom = top + plot_height
    parts = [head]
    for tick in (0, 25, 50, 75, 100):
        y = bottom - plot_height * tick / 100
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" {FONT} '
            f'fill="{TEXT_COLOUR}">{tick}%</text>'
        )
    points = []
    for index, row in enumerate(rows):
        x = left + step * index + step / 2
        low, high = row.interval
        y = bottom - plot_height * (row.rate or 0.0)
        points.append(f"{x:.1f},{y:.1f}")
        parts.append(
            f"<g><title>{escape(_summary(row))}</title>"
            f'<line x1="{x:.1f}" y1="{bottom - plot_height * low:.1f}" x2="{x:.1f}" '
            f'y2="{bottom - plot_height * high:.1f}" stroke="{WHISKER_COLOUR}" '
            f'stroke-width="1.5"/>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{BAR_COLOUR}"/>'
            f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" {FONT} '
            f'fill="{TEXT_COLOUR}">{escape(row.label)}</text>'
            f'<text x="{x:.1f}" y="{bottom + 32}" text-anchor="middle" {FONT} '
            f'fill="{TEXT_COLOUR}">n={row.items}</text></g>'
        )
    if len(points) > 1:
        parts.insert(
            -len(rows),
            f'<polyline points="{" ".join(points)}" fill="none" stroke="{BAR_COLOUR}" '
            f'stroke-width="2"/>',
        )
    parts.append(tail)
    return "".join(parts)
