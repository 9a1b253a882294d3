"""The guideline pages (issue 19): ``/guidelines/``, a document's page and a section's page,
each with its tables as CSV (``format=csv``; a page's ``table=...``). Reads are in
``guideline_pages``; the JSON is the API's (``api.GuidelineList``, ``api.GuidelinePage``)."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import mark_safe

from . import charts, exports, guideline_pages, paging, plans, selectors
from .converters import GuidelinePartConverter
from .filters import filter_query
from .responses import bad_request
from .tracking import without_tracking

PAGE_TABLES = ("years", "sections", "specialties", "reasons", "quotes")
_PART = GuidelinePartConverter()
RECENT = 10  # decisions listed on a page (the browse list's first page)


def _row(rate, href: str = "", label: str = "") -> dict:
    return {"rate": rate, "href": href, "label": label or rate.label, **charts.rate_texts(rate)}


def parameter_errors(params: QueryDict, *, tables: tuple[str, ...] = ()) -> list[str]:
    """Plain-language problems with a guideline page's query: only ``format=csv`` (and, on a
    guideline's page, ``table``) are taken, each once. Shared with the API (``format`` aside)."""
    allowed = ("format", "table") if tables else ("format",)
    errors = [
        f"Unknown parameter '{name}': this page takes {' and '.join(allowed)} only."
        for name in params
        if name not in allowed
    ]
    for name in allowed:
        if len(params.getlist(name)) > 1:
            errors.append(f"Parameter '{name}': give it once.")
    if params.get("format", "csv") != "csv":
        errors.append("Parameter 'format': csv (a table as CSV).")
    if tables:
        table = params.get("table")
        if table is not None and table not in tables:
            errors.append(f"Parameter 'table': one of {', '.join(tables)} (got '{table[:40]}').")
        if (table is None) != ("format" not in params):
            errors.append("Parameters 'format=csv' and 'table' go together.")
    return errors


# What ``reverse`` leaves unescaped in a path (``django.urls.resolvers``): the same here.
_PATH_SAFE = RFC3986_SUBDELIMS + "/~:@"


def section_href(document_href: str, section: str) -> str:
    """A section's page under its document's (``document_href``, reversed): what ``reverse``
    gives, without resolving each of a thousand sections of the list again."""
    return f"{document_href}{quote(_PART.to_url(section), safe=_PATH_SAFE)}/"


def not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "404.html", {"message": message}, status=404)


def guideline_or_response(request: HttpRequest, source: str, document: str, section=None):
    """``(guideline, None)`` for a cited guideline, else ``(None, the 400 or 404 page)``."""
    try:
        guideline = guideline_pages.guideline_from(source, document, section)
    except guideline_pages.BadGuideline as exc:
        return None, bad_request(request, [str(exc)])
    except LookupError as exc:
        return None, not_found(
            request, f"{exc} The sources are {', '.join(guideline_pages.guidelines.SOURCES)}."
        )
    if not guideline_pages.is_cited(guideline):
        what = "section" if section else "document"
        return None, not_found(
            request, f"No reviewer in the archive cites the {what} {guideline.label}."
        )
    return guideline, None


def _csv(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@without_tracking
def guideline_list(request: HttpRequest) -> HttpResponse:
    """``/guidelines/``: every cited source, document and section, with counts and rates."""
    if errors := parameter_errors(request.GET):
        return bad_request(request, errors)
    listing = guideline_pages.guideline_list()
    if "format" in request.GET:
        return _csv(exports.guideline_list_csv(listing), "imr-guidelines")
    sources = []
    for source in listing.sources:
        documents = []
        for doc in source.documents:
            href = reverse("determinations:guideline", args=doc.guideline.url_args)
            sections = [
                _row(row.rate, section_href(href, row.guideline.section), row.guideline.section)
                for row in doc.sections
            ]
            documents.append({"row": _row(doc.rate, href), "document": doc, "sections": sections})
        sources.append(
            {
                "source": source,
                "row": _row(source.rate),
                "documents": documents,
            }
        )
    return render(
        request,
        "determinations/guidelines.html",
        {"listing": listing, "sources": sources},
    )


@without_tracking
def guideline_page(request: HttpRequest, source: str, document: str, section=None) -> HttpResponse:
    """A document's or a section's page (``guideline_pages.page``)."""
    if errors := parameter_errors(request.GET, tables=PAGE_TABLES):
        return bad_request(request, errors)
    guideline, refused = guideline_or_response(request, source, document, section)
    if refused:
        return refused
    if section is not None and guideline.section != section:  # another spelling: one address
        target = reverse("determinations:guideline_section", args=guideline.url_args)
        query = request.GET.urlencode()
        return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
    found = guideline_pages.page(guideline)
    if table := request.GET.get("table"):
        name = f"imr-guideline-{table}"
        return _csv(exports.guideline_table_csv(found, table), name)
    browse = reverse("determinations:browse")
    query = filter_query({guideline.dimension.name: [guideline.filter_value]})
    filterset = guideline_pages.filterset(guideline)
    page_request, _ = paging.page_request(QueryDict("sort=newest"), q="", size=RECENT)
    recent = selectors.items_browse(
        filterset=filterset, request=page_request, size=RECENT, plan=plans.plan_for(filterset)
    ).items
    document_page = reverse("determinations:guideline", args=[guideline.source, guideline.document])
    return render(
        request,
        "determinations/guideline.html",
        {
            "page": found,
            "guideline": guideline,
            "total": charts.rate_texts(found.total),
            "years": [_row(rate, f"{browse}?{query}&year={year}") for year, rate in found.years],
            "specialties": [
                _row(rate, f"{browse}?{query}&{urlencode(rate.params)}")
                for rate in found.specialties[: guideline_pages.TOP_GROUPS]
            ],
            "specialties_left_out": max(len(found.specialties) - guideline_pages.TOP_GROUPS, 0),
            "reasons": [
                _row(rate, f"{browse}?{query}&{urlencode(rate.params)}") for rate in found.reasons
            ],
            "reason_note": guideline_pages.REASON.rate_note,
            "sections": [
                _row(
                    row.rate,
                    reverse("determinations:guideline_section", args=row.guideline.url_args),
                    row.guideline.section,
                )
                for row in found.sections
            ],
            "recent": recent,
            "browse_href": f"{browse}?{query}",
            "stats_href": f"{reverse('determinations:stats')}?{query}",
            "over_time_href": f"{reverse('determinations:stats')}?{query}&by=outcome&over=year",
            "document_href": document_page,
            "api_href": reverse(
                "api:guideline_section" if section else "api:guideline", args=guideline.url_args
            ),
            "tables": PAGE_TABLES,
            "min_quote": guideline_pages.QUOTE_MIN,
            "quote_items": guideline_pages.QUOTE_ITEMS,
            "chart": mark_safe(  # noqa: S308 (escaped by charts)
                charts.yearly_trend(
                    [rate for _, rate in found.years], title="Overturn rate by decision year"
                )
            )
            if found.years
            else "",
        },
    )
