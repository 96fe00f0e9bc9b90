from __future__ import annotations

from django.urls import path

from homeward.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_search, name="search"),
    path("export/", views.audit_export, name="export"),
    path("anomalies/", views.audit_anomalies, name="anomalies"),
]
