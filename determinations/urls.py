from django.urls import path

from . import (
    converters,  # noqa: F401  (registers the "key" converter)
    feeds,
    views,
    views_analysis,
)

app_name = "determinations"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("determinations/<key:key>/", views.detail, name="detail"),
    path("determinations/<key:key>/json/", views.detail_json, name="detail_json"),
    path("determinations/<key:key>/original/", views.original, name="original"),
    path("stats/", views_analysis.stats_page, name="stats"),
    path("export/items.csv", views_analysis.export_csv, name="export_csv"),
    path("export/items.jsonl", views_analysis.export_jsonl, name="export_jsonl"),
    path("feed/", feeds.ItemFeed(), name="feed"),
]
