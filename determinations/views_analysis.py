"""Analysis pages over the browse filters: statistics, comparisons, year reports, exports
(CSV, JSON Lines)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from . import (
    charts,
    compare,
    crosstab,
    day_figures,
    exports,
    letters,
    plans,
    reports,
    stats,
    timing,
)
from .dimensions import BY_NAME
from .filter_panel import filter_panel
from .filters import (
    SEARCH_PARAMS,
    ItemFilterSet,
    filter_errors,
    filter_query,
    with_settled_values,
)
from .responses import bad_request, plain_bad_request
from .tracking import without_tracking


def _shown(active: dict[str, list[str]]) -> dict[str, list[str]]:
    """The filters in use as the page shows them: each value by its label (``ODG · Low Back``)."""
    shown = {}
    for name, values in active.items():
        label = getattr(BY_NAME.get(name), "value_label", None)
        shown[name] = [label(str(v)) for v in values] if label else values
    return shown


def _filter_controls(request: HttpRequest, filterset: ItemFilterSet, plan) -> dict:
    """The folded browse filters of a statistics page (``_stats_filters.html``): the facets
    counted as the page's plan says, and the parameters the form keeps (cross-tab, search)."""
    kept = (*crosstab.PARAMS, *SEARCH_PARAMS)
    hidden = [(name, value) for name in kept for value in request.GET.getlist(name)]
    table = [(name, value) for name in crosstab.PARAMS for value in request.GET.getlist(name)]
    return {**filter_panel(filterset, plan, keep=table), "hidden_params": hidden}


@without_tracking
@with_settled_values
def stats_page(request: HttpRequest) -> HttpResponse:
    """The statistics tables; with ``by``, the cross-tab over time (``crosstab_page``)."""
    filterset = ItemFilterSet(request.GET)
    query, errors = crosstab.query_from(request.GET)
    errors = filter_errors(filterset, extra=(*crosstab.PARAMS, "format")) + errors
    formats = request.GET.getlist("format")
    if formats and formats != ["csv"]:
        errors.append("Parameter 'format': csv (the table as CSV), once.")
    elif formats and query.by is None:
        errors.append("Parameter 'format' needs 'by': only the cross-tab downloads as CSV here.")
    if errors:
        return bad_request(request, errors)
    plan = plans.plan_for(filterset)
    if query.by is not None:
        return crosstab_page(request, filterset, query, plan, as_csv=bool(formats))
    # The filters first: their facets' pass counts what the statistics' sample is chosen from.
    controls = _filter_controls(request, filterset, plan)
    result = stats.statistics(filterset, plan=plan)
    active = filterset.active
    browse = reverse("determinations:browse")
    tables = []
    for group in result.groups:
        rows = [
            {
                "rate": row,
                "href": f"{browse}?{filter_query(active, replace=row.params)}",
                **charts.rate_texts(row),
            }
            for row in group.rows
        ]
        title = f"Overturn rate by {group.dimension.title.lower()}"
        chart = (
            charts.yearly_trend(group.rows, title=title)
            if group.dimension.by_value  # years: a trend over time
            else charts.rate_bars(group.rows[:20], title=title)
        )
        over_time = urlencode({"by": group.dimension.name, "over": "year"})
        tables.append(
            {
                "group": group,
                "rows": rows,
                "chart": mark_safe(chart),  # noqa: S308 (escaped)
                "over_time_href": f"{request.path}?{filter_query(active)}&{over_time}"
                if active
                else f"{request.path}?{over_time}",
            }
        )
    query = filter_query(active)
    return render(
        request,
        "determinations/stats.html",
        {
            "result": result,
            "total": charts.rate_texts(result.total),
            "tables": tables,
            "active": _shown(active),
            "query": query,
            "browse_href": f"{browse}?{query}" if query else browse,
            **controls,
        },
    )


# A cross-tab page lists at most this many cells (a page of ~250 KB, rendered in ~50 ms); past
# that, the cells of the values its chart draws. 57 subcategories by 50 quarters are 2,850 cells:
# a 1 MB page taking ~250 ms to render, unreadable on a phone, and whole in the CSV.
PAGE_CELLS = 600


def crosstab_page(
    request: HttpRequest,
    filterset: ItemFilterSet,
    query: crosstab.Query,
    plan: plans.CountPlan,
    *,
    as_csv: bool,
) -> HttpResponse:
    """``/stats/?by=...&over=...``: the cross-tab's table and chart, or (``as_csv``) its CSV."""
    # A page's filters first: their facets' pass counts what the table's sample is chosen from.
    controls = None if as_csv else _filter_controls(request, filterset, plan)
    table = crosstab.crosstab(filterset, query, plan=plan)
    if as_csv:
        response = HttpResponse(exports.crosstab_csv(table), content_type="text/csv; charset=utf-8")
        name = f"imr-{query.by}-by-{query.over}" if query.over else f"imr-{query.by}"
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    active = filterset.active
    browse = reverse("determinations:browse")
    shown = table.cells
    if len(shown) > PAGE_CELLS:  # the chart's values only: the CSV and JSON have every cell
        drawn = {line.label for line in table.series}
        shown = [cell for cell in table.cells if cell.rate.label in drawn]
    rows = [
        {
            "cell": cell,
            "href": f"{browse}?{filter_query(active, replace=cell.rate.params)}",
            "share_text": charts.percent(cell.share),
            **charts.rate_texts(cell.rate),
        }
        for cell in shown
    ]
    what = "Share of items" if query.measure == "share" else "Overturn rate"
    title = f"{what} by {table.dimension.title.lower()}"
    if query.over:
        title += f", by {query.over}"
        chart = charts.period_lines(
            table.series, [p for p, _ in table.periods], measure=query.measure, title=title
        )
    else:
        chart = charts.rate_bars([cell.rate for cell in table.cells[:20]], title=title)
    filters = filter_query(active)
    own = request.GET.copy()
    own.pop("format", None)
    return render(
        request,
        "determinations/crosstab.html",
        {
            "table": table,
            "query": query,
            "rows": rows,
            "cells_left_out": len(table.cells) - len(shown),
            "total": charts.rate_texts(table.total),
            "chart": mark_safe(chart),  # noqa: S308 (escaped by charts)
            "title": title,
            "active": _shown(active),
            "csv_query": f"{own.urlencode()}&format=csv",
            "api_query": own.urlencode(),
            "stats_href": f"{request.path}?{filters}" if filters else request.path,
            "browse_href": f"{browse}?{filters}" if filters else browse,
            **controls,
        },
    )


@without_tracking
def compare_page(request: HttpRequest) -> HttpResponse:
    """``/compare/?a=...&b=...``: two groups' rates, their difference and its interval and their
    median days to decision, or
    (``format=csv``) the same as CSV; without ``a`` and ``b``, the empty form."""
    if not request.GET:
        return render(request, "determinations/compare.html", {"form": {"a": "", "b": ""}})
    filtersets, errors = compare.filtersets_from(request.GET, extra=("format",))
    formats = request.GET.getlist("format")
    if formats and formats != ["csv"]:
        errors.append("Parameter 'format': csv (the comparison as CSV), once.")
    if errors:
        return bad_request(request, errors)
    comparison = compare.compare(filtersets)
    if formats:
        response = HttpResponse(
            exports.compare_csv(comparison), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="imr-compare.csv"'
        return response
    browse, stats_path = reverse("determinations:browse"), reverse("determinations:stats")
    days_path = reverse("determinations:decision_days")
    sides = [
        {
            "group": group,
            "active": _shown(group.filters),
            "browse_href": f"{browse}?{group.query}" if group.query else browse,
            "stats_href": f"{stats_path}?{group.query}" if group.query else stats_path,
            "days_href": f"{days_path}?{group.query}" if group.query else days_path,
            "medians": [
                {"known": basis.known, "median": _days_text(basis.median)}
                for basis in (group.timing.assigned, group.timing.received)
            ],
            **charts.rate_texts(group.total),
        }
        for group in comparison.groups
    ]
    title = "Overturn rates of the two groups"
    chart = charts.rate_bars([group.total for group in comparison.groups], title=title)
    low, high = comparison.interval or (None, None)
    difference = {
        "text": "n/a" if comparison.difference is None else charts.percent(comparison.difference),
        "interval_text": "n/a"
        if low is None
        else f"{charts.percent(low)} to {charts.percent(high)}",
        "chart": mark_safe(  # noqa: S308 (escaped by charts)
            charts.difference_bar(
                comparison.difference,
                comparison.interval,
                label="A - B",
                title="Difference of the overturn rates (A - B), with its 95% interval",
            )
        ),
    }
    own = urlencode({side: request.GET[side] for side in compare.SIDES})
    return render(
        request,
        "determinations/compare.html",
        {
            "comparison": comparison,
            "sides": sides,
            "difference": difference,
            "chart": mark_safe(chart),  # noqa: S308 (escaped by charts)
            "form": {
                side: group.query
                for side, group in zip(compare.SIDES, comparison.groups, strict=True)
            },
            "csv_query": f"{own}&format=csv",
            "api_query": own,
        },
    )


LETTER_PARAMS = ("by", "over", "format")  # beside the browse filters


def _letter_table_query(request: HttpRequest):
    """A letter-level page's filters, ``by``, ``over`` and CSV wish, or its 400 page."""
    filterset = ItemFilterSet(request.GET)
    chosen, errors = crosstab.given_once(request.GET, LETTER_PARAMS)
    by, over = chosen.get("by"), chosen.get("over")
    errors = (
        filter_errors(filterset, extra=LETTER_PARAMS) + errors + crosstab.period_errors(by, over)
    )
    if chosen.get("format", "csv") != "csv":
        errors.append("Parameter 'format': csv (the table as CSV), once.")
    if errors:
        return bad_request(request, errors)
    return filterset, by, over, "format" in chosen


def _csv(content: bytes, name: str, by: str | None, over: str | None) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    name += "".join(f"-by-{part}" for part in (by, over) if part)
    response["Content-Disposition"] = f'attachment; filename="imr-{name}.csv"'
    return response


def _letter_page_context(request: HttpRequest, filterset: ItemFilterSet, grouped) -> dict:
    """What both letter-level pages show around their table: filters, links, the estimate."""
    active = filterset.active
    browse = reverse("determinations:browse")
    filters = filter_query(active)
    own = request.GET.copy()
    own.pop("format", None)
    stats_href = reverse("determinations:stats")
    return {
        "grouped": grouped,
        "active": _shown(active),
        "csv_query": f"{own.urlencode()}&format=csv",
        "api_query": own.urlencode(),
        "stats_href": f"{stats_href}?{filters}" if filters else stats_href,
        "browse_href": f"{browse}?{filters}" if filters else browse,
        "prefix": "~" if grouped.estimated else "",
        "sample_every": grouped.total.every,
    }


def _row_href(active, group) -> str:
    """The browse query of a row's letters' items (its value; a period is no browse filter)."""
    browse = reverse("determinations:browse")
    replace = group.row.params if group.row is not None else ()
    query = filter_query(active, replace=replace)
    return f"{browse}?{query}" if query else browse


def _days_text(days: int | None) -> str:
    if days is None:
        return "n/a"
    return f"over {letters.MAX_DAYS}" if days > letters.MAX_DAYS else str(days)


def _no_parameters(request: HttpRequest) -> HttpResponse | None:
    """The 400 of a page that takes no parameters, naming the ones given."""
    if not request.GET:
        return None
    names = ", ".join(f"'{name}'" for name in dict.fromkeys(request.GET))
    return bad_request(request, [f"Unknown parameter {names}: this page takes none."])


@without_tracking
@with_settled_values
def decision_days_page(request: HttpRequest) -> HttpResponse:
    """``/stats/decision-days/``: time to decision (table and histogram), or its CSV."""
    asked = _letter_table_query(request)
    if isinstance(asked, HttpResponse):
        return asked
    filterset, by, over, as_csv = asked
    table = timing.table(filterset, by, over, plan=plans.plan_for(filterset))
    if as_csv:
        return _csv(exports.timing_csv(table), "decision-days", by, over)
    active = filterset.active
    prefix = "~" if table.estimated else ""

    def heads(row: timing.Timing, href: str) -> list[dict]:
        label = row.row.label if row.row else ""
        cells = [{"text": label, "href": href}] if table.dimension else []
        cells += [{"text": row.period}] if table.over else []
        return cells or [{"text": "All matching letters", "href": href}]

    rows = [
        _timing_row(row, heads(row, _row_href(active, row.group)), prefix)
        for row in table.rows or [table.total]
    ][:PAGE_CELLS]
    headings = [table.dimension.title] if table.dimension else []
    headings += [capfirst(table.over)] if table.over else []
    total = table.total
    charts_ = [
        mark_safe(  # noqa: S308 (escaped by charts)
            charts.count_bars(
                [(label, n) for _, label, n in basis.histogram],
                title=f"Letters by days from {BASIS_WORDS[basis.name]} to decision",
                description=f"Letters with both dates known: {basis.known}. ",
            )
        )
        for basis in (total.assigned, total.received)
    ]
    context = _letter_page_context(request, filterset, table.grouped)
    context.update(
        table=table,
        rows=rows,
        headings=headings or ["Group"],
        total=total,
        total_bases=[
            {
                "basis": basis,
                "words": BASIS_WORDS[basis.name],
                "median": _days_text(basis.median),
                "p90": _days_text(basis.p90),
            }
            for basis in (total.assigned, total.received)
        ],
        charts=charts_,
        title=_title("Time to decision", table.grouped),
        standard_limit=day_figures.STANDARD_LIMIT,
        expedited_limit=day_figures.EXPEDITED_LIMIT,
    )
    return render(request, "determinations/decision_days.html", context)


BASIS_WORDS = {"assigned": "date assigned", "received": "application received"}


def _timing_row(row: timing.Timing, heads: list[dict], prefix: str) -> dict:
    """A row of ``_timing_table.html``: its leading cells (``text``, ``href`` for a link),
    the prefix of its counts ("~" estimated) and its figures on each basis."""
    return {"heads": heads, "prefix": prefix, "timing": row, "bases": _timing_bases(row)}


def _timing_bases(row: timing.Timing) -> list[dict]:
    """A time to decision row's figures on each basis, as its table shows them."""
    return [
        {
            "basis": basis,
            "words": BASIS_WORDS[basis.name],
            "median": _days_text(basis.median),
            "p90": _days_text(basis.p90),
            "over_standard": charts.percent(timing.share(basis.over_standard, basis.standard)),
            "over_expedited": charts.percent(timing.share(basis.over_expedited, basis.expedited)),
        }
        for basis in (row.assigned, row.received)
    ]


def _title(what: str, grouped) -> str:
    parts = [f"by {grouped.dimension.title.lower()}"] if grouped.dimension else []
    parts += [f"by {grouped.over}"] if grouped.over else []
    return ", ".join([what, *parts])


@without_tracking
@with_settled_values
def letters_page(request: HttpRequest) -> HttpResponse:
    """``/stats/letters/``: letters fully upheld, fully or partially overturned, or its CSV."""
    asked = _letter_table_query(request)
    if isinstance(asked, HttpResponse):
        return asked
    filterset, by, over, as_csv = asked
    table = letters.outcomes(filterset, by, over, plan=plans.plan_for(filterset))
    if as_csv:
        return _csv(exports.outcomes_csv(table), "letter-outcomes", by, over)
    active = filterset.active
    rows = [
        {
            "outcomes": row,
            "href": _row_href(active, row.group),
            "shares": [
                charts.percent(row.share(getattr(row, name))) for name in letters.OUTCOME_NAMES
            ],
        }
        for row in table.rows or [table.total]
    ][:PAGE_CELLS]
    context = _letter_page_context(request, filterset, table.grouped)
    context.update(table=table, rows=rows, title=_title("Letter outcomes", table.grouped))
    return render(request, "determinations/letters.html", context)


def reports_page(request: HttpRequest) -> HttpResponse:
    """``/reports/``: the decision years the archive holds, each linking to its report."""
    if refused := _no_parameters(request):
        return refused
    years = [{"year": y, **charts.rate_texts(y.rate)} for y in reports.report_years()]
    return render(request, "determinations/reports.html", {"years": years})


@without_tracking
def report_page(request: HttpRequest, year: int) -> HttpResponse:
    """``/reports/<year>/``: the year's tables (``reports.year_report``); a 404 for a year
    the archive holds no letter of."""
    if refused := _no_parameters(request):
        return refused
    report = reports.year_report(year)
    if report is None:
        message = (
            f"The archive holds no letter decided in {year}, so it has no report for that year."
        )
        return render(request, "404.html", {"message": message, "reports": True}, status=404)
    tables = [
        {
            "table": table,
            "overall": table.overall and charts.rate_texts(table.overall),
            "rows": [
                {
                    "cell": cell,
                    "href": table.row_url(cell.rate),
                    "share_text": charts.percent(cell.share),
                    **charts.rate_texts(cell.rate),
                }
                for cell in table.cells
            ],
            "outcome_rows": [
                {**row, "share_text": charts.percent(row["share"])} for row in table.outcome_rows
            ],
            "caption": f"{table.title}, {report.year}",
            "headings": [table.heading],
            "timing_rows": [
                _timing_row(row, [{"text": label, "href": href}], "~" if row.estimated else "")
                for label, href, row in table.timing_rows
            ],
        }
        for table in report.tables
    ]
    context = {
        "report": report,
        "tables": tables,
        "standard_limit": day_figures.STANDARD_LIMIT,
        "expedited_limit": day_figures.EXPEDITED_LIMIT,
    }
    return render(request, "determinations/report.html", context)


def _export(request: HttpRequest, kind: str) -> HttpResponse:
    filterset = ItemFilterSet(request.GET)
    errors = filter_errors(filterset)
    if errors:
        return plain_bad_request(errors)
    base_url = request.build_absolute_uri("/").rstrip("/")
    if kind == "csv":
        stream = exports.csv_stream(filterset, base_url=base_url)
        content_type = "text/csv; charset=utf-8"
    else:
        stream = exports.jsonl_stream(filterset, base_url=base_url)
        content_type = "application/x-ndjson; charset=utf-8"
    response = StreamingHttpResponse(stream, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="imr-items.{kind}"'
    return response


def export_csv(request: HttpRequest) -> HttpResponse:
    """Every matching item as CSV (UTF-8 with BOM, formula-guarded): see docs/api.md."""
    return _export(request, "csv")


def export_jsonl(request: HttpRequest) -> HttpResponse:
    """Every matching item as JSON Lines, one ``presenters.item_record`` per line."""
    return _export(request, "jsonl")
