from django.urls import path

from . import feeds, views, views_analysis

app_name = "determinations"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("determinations/<str:key>/", views.detail, name="detail"),
    path("determinations/<str:key>/json/", views.detail_json, name="detail_json"),
    path("determinations/<str:key>/original/", views.original, name="original"),
    path("stats/", views_analysis.stats_page, name="stats"),
    path("export/items.csv", views_analysis.export_csv, name="export_csv"),
    path("export/items.jsonl", views_analysis.export_jsonl, name="export_jsonl"),
    path("feed/", feeds.ItemFeed(), name="feed"),
]
