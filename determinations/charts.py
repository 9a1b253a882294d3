"""Accessible SVG charts drawn on the server: no chart library, no script, nothing to download.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by a ``<desc>``
that states the figures in words; every bar and point carries its own ``<title>`` and a visible
text label, so a screen reader, a printout and a colour-blind reader get the numbers too. The
page's tables hold the same figures.

The charts fit any width without scaling their text: an ``<svg width="100%">`` with no
``viewBox``, horizontal positions in percentages of its width, vertical positions and text
sizes in pixels, so labels stay 13 px from a 390 px phone to a desktop. Bars are stacked (the
label above its bar, the figure at its right), so a long label never pushes the bars off
screen. Pure: takes rows with ``label``, ``items``, ``overturned``, ``rate`` and ``interval``
(``stats.Rate``) and returns markup as a string with all text escaped.
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
FONT_PX = 13
FONT = f'font-family="system-ui, sans-serif" font-size="{FONT_PX}" fill="{TEXT_COLOUR}"'
# The trend's plot spans these percentages of the chart's width (the left gutter holds the
# 0-100% axis labels: 12% of a phone's 358 px is 43 px, room for "100%").
PLOT_LEFT, PLOT_RIGHT = 12.0, 98.0
# More years than this and, on a phone, the year labels are shortened ('17) and the item
# counts under them hidden (static/css/archive.css, .chart-dense): they would overlap.
DENSE_YEARS = 6


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


def rate_texts(rate) -> dict[str, str]:
    """A rate's overturn rate and 95% interval as a table shows them (``rate_text``,
    ``interval_text``)."""
    low, high = rate.interval
    return {"rate_text": percent(rate.rate), "interval_text": f"{percent(low)} to {percent(high)}"}


def _summary(row: RateRow) -> str:
    low, high = row.interval
    return (
        f"{row.label}: {percent(row.rate)} overturned ({row.overturned} of {row.items}; "
        f"95% interval {percent(low)} to {percent(high)})"
    )


def _pct(value: float) -> str:
    """A horizontal position: ``value`` percent of the chart's width."""
    return f"{value:.2f}%"


def _percent_grid(bottom: float, plot_height: float) -> list[str]:
    """The 0-100% grid lines of a rate chart, each with its label at the left."""
    parts = []
    for tick in (0, 25, 50, 75, 100):
        y = bottom - plot_height * tick / 100
        parts.append(
            f'<line x1="{_pct(PLOT_LEFT)}" y1="{y:.1f}" x2="{_pct(PLOT_RIGHT)}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
            f'<text x="{_pct(PLOT_LEFT - 1.5)}" y="{y + 4:.1f}" text-anchor="end" {FONT}>'
            f"{tick}%</text>"
        )
    return parts


def _open(height: int, title: str, description: str, kind: str) -> tuple[str, str]:
    n = next(_ids)
    title_id, desc_id = f"chart-{n}-title", f"chart-{n}-desc"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart {kind}" '
        f'width="100%" height="{height}" aria-labelledby="{title_id} {desc_id}">'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape(description)}</desc>'
    )
    return head, "</svg>"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _tick_anchor(tick: int) -> str:
    return {0: "start", 100: "end"}.get(tick, "middle")


def rate_bars(rows: Sequence[RateRow], *, title: str, description: str = "") -> str:
    """Horizontal bars of overturn rate, one per row, with 95% interval whiskers.

    Each row is a line of text (the label at the left, "41.7% (n=12)" at the right) above a
    bar as wide as the rate's share of the chart; the axis (0-100%) is under the last bar.
    """
    rows = [row for row in rows if row.items]
    row_height, text_line, bar_top, bar_height, axis = 40, 15, 20, 12, 22
    height = row_height * max(len(rows), 1) + axis
    words = description or (
        "Horizontal bars show the share of items overturned; black lines show the 95% "
        "Wilson interval. "
    )
    words += " ".join(_summary(row) + "." for row in rows) if rows else "No matching items."
    head, tail = _open(height, title, words, "chart-bars")
    parts = [head]
    plot_bottom = height - axis + 4
    for tick in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{_pct(tick)}" y1="{bar_top - 2}" x2="{_pct(tick)}" y2="{plot_bottom}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
            f'<text x="{_pct(tick)}" y="{height - 5}" text-anchor="{_tick_anchor(tick)}" '
            f"{FONT}>{tick}%</text>"
        )
    for index, row in enumerate(rows):
        y = index * row_height
        low, high = row.interval
        rate = row.rate or 0.0
        middle = y + bar_top + bar_height / 2
        parts.append(
            f"<g><title>{escape(_summary(row))}</title>"
            f'<text x="0" y="{y + text_line}" {FONT}>{escape(_truncate(row.label, 34))}</text>'
            f'<text x="100%" y="{y + text_line}" text-anchor="end" {FONT}>'
            f"{percent(row.rate)} (n={row.items})</text>"
            f'<rect x="0" y="{y + bar_top}" width="{_pct(rate * 100)}" height="{bar_height}" '
            f'fill="{BAR_COLOUR}"/>'
            f'<line x1="{_pct(low * 100)}" y1="{middle:.1f}" x2="{_pct(high * 100)}" '
            f'y2="{middle:.1f}" stroke="{WHISKER_COLOUR}" stroke-width="1.5"/>'
        )
        for bound in (low, high):
            parts.append(
                f'<line x1="{_pct(bound * 100)}" y1="{middle - 6:.1f}" x2="{_pct(bound * 100)}" '
                f'y2="{middle + 6:.1f}" stroke="{WHISKER_COLOUR}" stroke-width="1.5"/>'
            )
        parts.append("</g>")
    parts.append(tail)
    return "".join(parts)


def _short_year(label: str) -> str:
    return f"\u2019{label[2:]}" if len(label) == 4 and label.isdigit() else label


def yearly_trend(rows: Sequence[RateRow], *, title: str, description: str = "") -> str:
    """Overturn rate year by year: a line through each year's rate, with interval whiskers,
    and the number of items under each year."""
    rows = [row for row in rows if row.items]
    top, plot_height = 12, 200
    bottom = top + plot_height
    height = bottom + 44
    step = (PLOT_RIGHT - PLOT_LEFT) / max(len(rows), 1)
    words = description or (
        "A line joins each decision year's overturn rate; vertical lines show the 95% Wilson "
        "interval. "
    )
    words += " ".join(_summary(row) + "." for row in rows) if rows else "No matching items."
    dense = " chart-dense" if len(rows) > DENSE_YEARS else ""
    head, tail = _open(height, title, words, "chart-trend" + dense)
    parts = [head, *_percent_grid(bottom, plot_height)]
    points = []
    for index, row in enumerate(rows):
        x = _pct(PLOT_LEFT + step * (index + 0.5))
        y = bottom - plot_height * (row.rate or 0.0)
        points.append((x, y))
    # The line, as segments: a polyline's points cannot be given in percentages.
    parts.append('<g class="chart-line">')
    for (x1, y1), (x2, y2) in itertools.pairwise(points):
        parts.append(
            f'<line x1="{x1}" y1="{y1:.1f}" x2="{x2}" y2="{y2:.1f}" stroke="{BAR_COLOUR}" '
            f'stroke-width="2"/>'
        )
    parts.append("</g>")
    for row, (x, y) in zip(rows, points, strict=True):
        low, high = row.interval
        label = escape(row.label)
        year = (
            f'<text x="{x}" y="{bottom + 17}" text-anchor="middle" class="chart-year-full" '
            f"{FONT}>{label}</text>"
            f'<text x="{x}" y="{bottom + 17}" text-anchor="middle" class="chart-year-short" '
            f"{FONT}>{escape(_short_year(row.label))}</text>"
            if dense
            else f'<text x="{x}" y="{bottom + 17}" text-anchor="middle" {FONT}>{label}</text>'
        )
        parts.append(
            f"<g><title>{escape(_summary(row))}</title>"
            f'<line x1="{x}" y1="{bottom - plot_height * low:.1f}" x2="{x}" '
            f'y2="{bottom - plot_height * high:.1f}" stroke="{WHISKER_COLOUR}" '
            f'stroke-width="1.5"/>'
            f'<circle cx="{x}" cy="{y:.1f}" r="4" fill="{BAR_COLOUR}"/>'
            f"{year}"
            f'<text x="{x}" y="{bottom + 34}" text-anchor="middle" class="chart-n" {FONT}>'
            f"n={row.items}</text></g>"
        )
    parts.append(tail)
    return "".join(parts)


# The lines of ``period_lines``: colours told apart by colour-blind readers too (Okabe-Ito),
# each with its own dash pattern, so a printout in grey still tells them apart.
LINE_STYLES = (
    ("#0b5cad", ""),
    ("#b34d00", "7 3"),
    ("#007a5a", "2 3"),
    ("#a3487f", "9 3 2 3"),
    ("#6b5600", "4 4"),
    ("#4a5058", "1 3"),
)
PERIOD_LABELS = 4  # at most this many period labels under the axis: "2017-Q3" is ~52 px


class Point(Protocol):
    period: str | None
    share: float | None

    @property
    def rate(self) -> RateRow: ...


class Line(Protocol):
    label: str
    points: Sequence[Point | None]


def _point_value(point: Point, measure: str) -> float | None:
    return point.share if measure == "share" else point.rate.rate


def _point_summary(label: str, point: Point, measure: str) -> str:
    row = point.rate
    if measure == "share":
        share = percent(point.share)
        return f"{label}, {point.period}: {share} of the period's items ({row.items})"
    low, high = row.interval
    return (
        f"{label}, {point.period}: {percent(row.rate)} overturned ({row.overturned} of "
        f"{row.items}; 95% interval {percent(low)} to {percent(high)})"
    )


def period_lines(
    lines: Sequence[Line], periods: Sequence[str], *, measure: str = "rate", title: str
) -> str:
    """One line per value over the periods (``crosstab.Series``): its overturn rate, or with
    ``measure="share"`` its share of the period's items; a legend under the plot names each
    line by its colour and dash. A period without items of a value breaks its line."""
    top, plot_height = 12, 200
    bottom = top + plot_height
    # The period labels sit low enough to clear the "0%" beside the first ones (many periods
    # put the first label under the axis labels), the legend below them.
    labels_at, legend_top, legend_row = bottom + 28, bottom + 58, 22
    height = legend_top + legend_row * max(len(lines), 1)
    step = (PLOT_RIGHT - PLOT_LEFT) / max(len(periods), 1)
    what = "share of the period's items" if measure == "share" else "overturn rate"
    words = f"Lines show each value's {what} period by period. "
    words += (
        " ".join(
            "; ".join(_point_summary(line.label, p, measure) for p in line.points if p) + "."
            for line in lines
        )
        if lines
        else "No matching items."
    )
    head, tail = _open(height, title, words, "chart-lines")
    parts = [head, *_percent_grid(bottom, plot_height)]
    every = max(1, -(-len(periods) // PERIOD_LABELS))
    for index, period in enumerate(periods):
        x = PLOT_LEFT + step * (index + 0.5)
        if index % every or x > 90:
            continue
        parts.append(
            f'<text x="{_pct(x)}" y="{labels_at}" text-anchor="middle" {FONT}>'
            f"{escape(period)}</text>"
        )
    for number, line in enumerate(lines):
        colour, dash = LINE_STYLES[number % len(LINE_STYLES)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        points = []
        for index, point in enumerate(line.points):
            value = _point_value(point, measure) if point else None
            if value is None:
                points.append(None)
                continue
            y = bottom - plot_height * min(value, 1.0)
            points.append((_pct(PLOT_LEFT + step * (index + 0.5)), y, point))
        parts.append(f"<g><title>{escape(line.label)}</title>")
        for first, second in itertools.pairwise(points):
            if first and second:
                parts.append(
                    f'<line x1="{first[0]}" y1="{first[1]:.1f}" x2="{second[0]}" '
                    f'y2="{second[1]:.1f}" stroke="{colour}" stroke-width="2"{dashed}/>'
                )
        for found in points:
            if found:
                x, y, point = found
                parts.append(
                    f"<g><title>{escape(_point_summary(line.label, point, measure))}</title>"
                    f'<circle cx="{x}" cy="{y:.1f}" r="3.5" fill="{colour}"/></g>'
                )
        y = legend_top + legend_row * number
        parts.append(
            f'<line x1="0" y1="{y - 4}" x2="28" y2="{y - 4}" stroke="{colour}" '
            f'stroke-width="3"{dashed}/>'
            f'<text x="36" y="{y}" {FONT}>{escape(_truncate(line.label, 38))}</text></g>'
        )
    parts.append(tail)
    return "".join(parts)


def _signed(value: float) -> str:
    """A difference of rates in percentage points: "+20.0 pp"."""
    return f"{value * 100:+.1f} pp"


def difference_bar(
    difference: float | None, interval: tuple[float, float] | None, *, label: str, title: str
) -> str:
    """A difference of two rates on a -100 to +100 percentage-point axis, zero in the middle:
    a bar from zero to the difference and black lines for its 95% interval (the comparison's,
    beside ``rate_bars`` of the two rates). An interval crossing zero crosses the middle line."""
    text_line, bar_top, bar_height, axis = 15, 20, 12, 22
    height = bar_top + bar_height + 8 + axis
    if difference is None or interval is None:
        words = f"{label}: no difference (a side has no matching items)."
    else:
        low, high = interval
        words = (
            f"{label}: {_signed(difference)} (95% interval {_signed(low)} to {_signed(high)}). "
            "The bar starts at zero, in the middle; black lines show the interval."
        )
    head, tail = _open(height, title, words, "chart-difference")
    parts = [head]
    plot_bottom = height - axis + 4

    def x(value: float) -> str:
        return _pct(50 + 50 * value)

    for tick in (-100, -50, 0, 50, 100):
        anchor = {-100: "start", 100: "end"}.get(tick, "middle")
        parts.append(
            f'<line x1="{x(tick / 100)}" y1="{bar_top - 2}" x2="{x(tick / 100)}" '
            f'y2="{plot_bottom}" stroke="{WHISKER_COLOUR if tick == 0 else GRID_COLOUR}" '
            f'stroke-width="1"/>'
            f'<text x="{x(tick / 100)}" y="{height - 5}" text-anchor="{anchor}" {FONT}>'
            f"{f'{tick:+d} pp' if tick else '0'}</text>"
        )
    shown = "n/a" if difference is None else _signed(difference)
    parts.append(
        f"<g><title>{escape(words)}</title>"
        f'<text x="0" y="{text_line}" {FONT}>{escape(_truncate(label, 34))}</text>'
        f'<text x="100%" y="{text_line}" text-anchor="end" {FONT}>{shown}</text>'
    )
    if difference is not None and interval is not None:
        left, right = sorted((0.0, difference))
        middle = bar_top + bar_height / 2
        parts.append(
            f'<rect x="{x(left)}" y="{bar_top}" width="{_pct(50 * (right - left))}" '
            f'height="{bar_height}" fill="{BAR_COLOUR}"/>'
            f'<line x1="{x(interval[0])}" y1="{middle:.1f}" x2="{x(interval[1])}" '
            f'y2="{middle:.1f}" stroke="{WHISKER_COLOUR}" stroke-width="1.5"/>'
        )
        for bound in interval:
            parts.append(
                f'<line x1="{x(bound)}" y1="{middle - 6:.1f}" x2="{x(bound)}" '
                f'y2="{middle + 6:.1f}" stroke="{WHISKER_COLOUR}" stroke-width="1.5"/>'
            )
    parts.append("</g>")
    parts.append(tail)
    return "".join(parts)


def count_bars(rows: Sequence[tuple[str, int]], *, title: str, description: str = "") -> str:
    """A histogram: horizontal bars of counts, one per ``(label, count)`` row in order, each as
    wide as its count's share of the largest (the count written at its right)."""
    row_height, text_line, bar_top, bar_height = 36, 15, 20, 12
    height = row_height * max(len(rows), 1)
    largest = max((count for _, count in rows), default=0)
    words = description + " ".join(f"{label}: {count}." for label, count in rows)
    head, tail = _open(height, title, words or "Nothing counted.", "chart-bars")
    parts = [head]
    for index, (label, count) in enumerate(rows):
        y = index * row_height
        width = count / largest * 100 if largest else 0.0
        parts.append(
            f"<g><title>{escape(f'{label}: {count}')}</title>"
            f'<text x="0" y="{y + text_line}" {FONT}>{escape(_truncate(label, 34))}</text>'
            f'<text x="100%" y="{y + text_line}" text-anchor="end" {FONT}>{count}</text>'
            f'<rect x="0" y="{y + bar_top}" width="{_pct(width)}" height="{bar_height}" '
            f'fill="{BAR_COLOUR}"/></g>'
        )
    parts.append(tail)
    return "".join(parts)
