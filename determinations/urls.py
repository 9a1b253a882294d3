from django.urls import path

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

# Every page here is a public read: with DATABASE_REPLICA_URLS it reads from a replica.
urlpatterns = [
    path("", public_read(views.browse), name="browse"),
    path("determinations/<key:key>/", public_read(views.detail), name="detail"),
    path("determinations/<key:key>/json/", public_read(views.detail_json), name="detail_json"),
    path("determinations/<key:key>/original/", public_read(views.original), name="original"),
    path(
        "determinations/<key:key>/similar/<int:number>/",
        public_read(views_similar.similar_page),
        name="similar",
    ),
    path(
        "determinations/<key:key>/similar/<int:number>/fragment/",
        public_read(views_similar.similar_fragment),
        name="similar_fragment",
    ),
    path("check/", public_read(views_check.check_page), name="check"),
    path("stats/", public_read(views_analysis.stats_page), name="stats"),
    path("compare/", public_read(views_analysis.compare_page), name="compare"),
    path(
        "stats/decision-days/",
        public_read(views_analysis.decision_days_page),
        name="decision_days",
    ),
    path("stats/letters/", public_read(views_analysis.letters_page), name="letter_outcomes"),
    path("reports/", public_read(views_analysis.reports_page), name="reports"),
    path("reports/<year:year>/", public_read(views_analysis.report_page), name="report"),
    path("guidelines/", public_read(views_guidelines.guideline_list), name="guidelines"),
    path(
        "guidelines/<guideline:source>/<guideline:document>/",
        public_read(views_guidelines.guideline_page),
        name="guideline",
    ),
    path(
        "guidelines/<guideline:source>/<guideline:document>/<guideline:section>/",
        public_read(views_guidelines.guideline_page),
        name="guideline_section",
    ),
    path("export/items.csv", public_read(views_analysis.export_csv), name="export_csv"),
    path("export/items.jsonl", public_read(views_analysis.export_jsonl), name="export_jsonl"),
    path("feed/", public_read(feeds.ItemFeed()), name="feed"),
]
