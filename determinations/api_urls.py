"""The API's routes, mounted under ``/api/`` by the project's urls."""

from django.urls import path
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularJSONAPIView

from . import api, converters  # noqa: F401  (converters registers "key")

app_name = "api"

urlpatterns = [
    path("", require_GET(api.api_index), name="index"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("items/", api.ItemList.as_view(), name="items"),
    path("determinations/", api.DeterminationList.as_view(), name="determinations"),
    path("determinations/<key:key>/", api.DeterminationDetail.as_view(), name="determination"),
    path("facets/", api.FacetCounts.as_view(), name="facets"),
    path("stats/", api.Statistics.as_view(), name="stats"),
]
