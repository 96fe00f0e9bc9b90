from __future__ import annotations

from django.urls import path

from homeward.audit import breach_views, views

app_name = "audit"
urlpatterns = [
    path("", views.audit_search, name="search"),
    path("export/", views.audit_export, name="export"),
    path("anomalies/", views.audit_anomalies, name="anomalies"),
    # Breach response (P14).
    path("breaches/", breach_views.breach_list, name="breach_list"),
    path("breaches/new/", breach_views.breach_new, name="breach_new"),
    path("breaches/<int:pk>/", breach_views.breach_detail, name="breach_detail"),
    path("breaches/<int:pk>/edit/", breach_views.breach_edit, name="breach_edit"),
    path("breaches/<int:pk>/report/", breach_views.breach_report, name="breach_report"),
    path("breaches/<int:pk>/close/", breach_views.breach_close, name="breach_close"),
    path("breaches/<int:pk>/who-saw-what/", breach_views.breach_who_saw_what, name="breach_who_saw_what"),
    path("breaches/<int:pk>/account/", breach_views.breach_account, name="breach_account"),
]
