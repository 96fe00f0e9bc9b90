from __future__ import annotations

from django.urls import URLPattern, path

from homeward.chronology import views

app_name = "chronology"
urlpatterns: list[URLPattern] = [
    path("people/<int:pk>/", views.person_chronology, name="person"),
]
