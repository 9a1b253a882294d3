"""The whole site mounted under /archive/, to show that every link follows the URL config."""

from django.urls import include, path

urlpatterns = [path("archive/", include("imr_archive.urls"))]
