from __future__ import annotations

from django.urls import URLPattern

app_name = "protocols"
urlpatterns: list[URLPattern] = []
