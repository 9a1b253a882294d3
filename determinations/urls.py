from django.urls import path

from . import views

app_name = "determinations"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("determinations/<str:key>/", views.detail, name="detail"),
    path("determinations/<str:key>/json/", views.detail_json, name="detail_json"),
    path("determinations/<str:key>/original/", views.original, name="original"),
]
