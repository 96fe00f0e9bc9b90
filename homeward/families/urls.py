from __future__ import annotations

from django.urls import URLPattern, path

from homeward.families import views

app_name = "families"
urlpatterns: list[URLPattern] = [
    path("episodes/<int:episode_id>/contacts/new/", views.contact_new, name="contact_new"),
]
