"""Analysis pages over the browse filters: statistics, year reports, exports (CSV, JSON Lines)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from . import charts, crosstab, exports, plans, reports, stats
from .dimensions import BY_NAME
from .filter_panel import filter_panel
from .filters import (
    SEARCH_PARAMS,
    ItemFilterSet,
    filter_errors,
    filter_query,
    with_sourced_guidelines,
)
from .responses import bad_request, plain_bad_request
from .tracking import without_tracking


def _rate_texts(rate: stats.Rate) -> dict[str, str]:
    low, high = rate.interval
    return {
        "rate_text": charts.percent(rate.rate),
        "interval_text": f"{charts.percent(low)} to {charts.percent(high)}",
    }


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
    return {**filter_panel(filterset, plan), "hidden_params": hidden}


@require_GET
@without_tracking
@with_sourced_guidelines
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
    result = stats.statistics(filterset, plan=plan)
    active = filterset.active
    browse = reverse("determinations:browse")
    tables = []
    for group in result.groups:
        rows = [
            {
                "rate": row,
                "href": f"{browse}?{filter_query(active, replace=row.params)}",
                **_rate_texts(row),
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
            "total": _rate_texts(result.total),
            "tables": tables,
            "active": _shown(active),
            "query": query,
            "browse_href": f"{browse}?{query}" if query else browse,
            **_filter_controls(request, filterset, plan),
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
            **_rate_texts(cell.rate),
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
            "total": _rate_texts(table.total),
            "chart": mark_safe(chart),  # noqa: S308 (escaped by charts)
            "title": title,
            "active": _shown(active),
            "csv_query": f"{own.urlencode()}&format=csv",
            "api_query": own.urlencode(),
            "stats_href": f"{request.path}?{filters}" if filters else request.path,
            "browse_href": f"{browse}?{filters}" if filters else browse,
            **_filter_controls(request, filterset, plan),
        },
    )


def _no_parameters(request: HttpRequest) -> HttpResponse | None:
    """The 400 of a page that takes no parameters, naming the ones given."""
    if not request.GET:
        return None
    names = ", ".join(f"'{name}'" for name in dict.fromkeys(request.GET))
    return bad_request(request, [f"Unknown parameter {names}: this page takes none."])


@require_GET
@without_tracking
def reports_page(request: HttpRequest) -> HttpResponse:
    """``/reports/``: the decision years the archive holds, each linking to its report."""
    if refused := _no_parameters(request):
        return refused
    years = [{"year": y, **_rate_texts(y.rate)} for y in reports.report_years()]
    return render(request, "determinations/reports.html", {"years": years})


@require_GET
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
            "overall": table.overall and _rate_texts(table.overall),
            "rows": [
                {
                    "cell": cell,
                    "href": table.row_url(cell.rate),
                    "share_text": charts.percent(cell.share),
                    **_rate_texts(cell.rate),
                }
                for cell in table.cells
            ],
        }
        for table in report.tables
    ]
    return render(request, "determinations/report.html", {"report": report, "tables": tables})


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


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    """Every matching item as CSV (UTF-8 with BOM, formula-guarded): see docs/api.md."""
    return _export(request, "csv")


@require_GET
def export_jsonl(request: HttpRequest) -> HttpResponse:
    """Every matching item as JSON Lines, one ``presenters.item_record`` per line."""
    return _export(request, "jsonl")
