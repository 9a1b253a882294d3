from django.contrib import admin
from django.urls import include, path

from determinations import admin_views

urlpatterns = [
    path(
        "admin/letters/<int:pk>/original/",
        admin_views.letter_original,
        name="admin_letter_original",
    ),
    path("admin/", admin.site.urls),
    path("api/", include("determinations.api_urls")),
    path("", include("determinations.urls")),
]

handler400 = "determinations.responses.bad_request_page"
