"""The API's routes, mounted under ``/api/`` by the project's urls. Its data endpoints are public
reads: with DATABASE_REPLICA_URLS they read from a replica."""

from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from drf_spectacular.views import SpectacularJSONAPIView

from imr_archive.db_router import public_read

from . import api, converters  # noqa: F401  (converters registers "key", "year", "guideline")

app_name = "api"

urlpatterns = [
    path("", csrf_exempt(require_safe(api.api_index)), name="index"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("items/", public_read(api.ItemList.as_view()), name="items"),
    path(
        "determinations/",
        public_read(api.DeterminationList.as_view()),
        name="determinations",
    ),
    path(
        "determinations/<key:key>/",
        public_read(api.DeterminationDetail.as_view()),
        name="determination",
    ),
    path("facets/", public_read(api.FacetCounts.as_view()), name="facets"),
    path("stats/", public_read(api.Statistics.as_view()), name="stats"),
    path("compare/", public_read(api.Compare.as_view()), name="compare"),
    path("stats/decision-days/", public_read(api.DecisionDays.as_view()), name="decision_days"),
    path("stats/letters/", public_read(api.LetterOutcomes.as_view()), name="letter_outcomes"),
    path("check/", public_read(api.Check.as_view()), name="check"),
    path("reports/<year:year>/", public_read(api.YearReport.as_view()), name="report"),
    path("guidelines/", public_read(api.GuidelineList.as_view()), name="guidelines"),
    path(
        "guidelines/<guideline:source>/<guideline:document>/",
        public_read(api.GuidelinePage.as_view()),
        name="guideline",
    ),
    path(
        "guidelines/<guideline:source>/<guideline:document>/<guideline:section>/",
        public_read(api.GuidelineSectionPage.as_view()),
        name="guideline_section",
    ),
    # Anything else under /api/: a JSON 404, as every API error is (not the site's HTML page).
    # (ending in "/" only, so that "items" still redirects to "items/", as APPEND_SLASH does)
    re_path(r"^.*/$", csrf_exempt(api.no_such_endpoint), name="no_such_endpoint"),
]
