from __future__ import annotations

from django.urls import URLPattern, path

from homeward.insights import views

app_name = "insights"
urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("weekly/", views.weekly, name="weekly"),
    path("measures/", views.measures, name="measures"),
    path("quarterly/", views.quarterly, name="quarterly"),
]
