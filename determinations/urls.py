from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from imr_archive.db_router import public_read

from . import (
    converters,  # noqa: F401  (registers the "key", "year" and "guideline" converters)
    feeds,
    views,
    views_analysis,
    views_check,
    views_guidelines,
    views_similar,
)

app_name = "determinations"


def page(view):
    """A public read: GET and HEAD (a link checker's, a monitor's), any other method a 405 (not
    the CSRF check's 403: nothing here writes), and with DATABASE_REPLICA_URLS read from a
    replica."""
    return public_read(csrf_exempt(require_safe(view)))


urlpatterns = [
    path("", page(views.browse), name="browse"),
    path("determinations/<key:key>/", page(views.detail), name="detail"),
    path("determinations/<key:key>/json/", page(views.detail_json), name="detail_json"),
    path("determinations/<key:key>/original/", page(views.original), name="original"),
    path(
        "determinations/<key:key>/similar/<int:number>/",
        page(views_similar.similar_page),
        name="similar",
    ),
    path(
        "determinations/<key:key>/similar/<int:number>/fragment/",
        page(views_similar.similar_fragment),
        name="similar_fragment",
    ),
    path("check/", page(views_check.check_page), name="check"),
    path("stats/", page(views_analysis.stats_page), name="stats"),
    path("compare/", page(views_analysis.compare_page), name="compare"),
    path(
        "stats/decision-days/",
        page(views_analysis.decision_days_page),
        name="decision_days",
    ),
    path("stats/letters/", page(views_analysis.letters_page), name="letter_outcomes"),
    path("reports/", page(views_analysis.reports_page), name="reports"),
    path("reports/<year:year>/", page(views_analysis.report_page), name="report"),
    path("guidelines/", page(views_guidelines.guideline_list), name="guidelines"),
    path(
        "guidelines/<guideline:source>/<guideline:document>/",
        page(views_guidelines.guideline_page),
        name="guideline",
    ),
    path(
        "guidelines/<guideline:source>/<guideline:document>/<guideline:section>/",
        page(views_guidelines.guideline_page),
        name="guideline_section",
    ),
    path("export/items.csv", page(views_analysis.export_csv), name="export_csv"),
    path("export/items.jsonl", page(views_analysis.export_jsonl), name="export_jsonl"),
    path("feed/", page(feeds.ItemFeed()), name="feed"),
]
