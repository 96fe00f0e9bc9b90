from __future__ import annotations

from django.urls import path

from homeward.audit import views, views_breach

app_name = "audit"
urlpatterns = [
    path("", views.audit_search, name="search"),
    path("export/", views.audit_export, name="export"),
    path("anomalies/", views.audit_anomalies, name="anomalies"),
    # Breach response (P14).
    path("breaches/", views_breach.breach_list, name="breach_list"),
    path("breaches/new/", views_breach.breach_new, name="breach_new"),
    path("breaches/<int:pk>/", views_breach.breach_detail, name="breach_detail"),
    path("breaches/<int:pk>/edit/", views_breach.breach_edit, name="breach_edit"),
    path("breaches/<int:pk>/report/", views_breach.breach_report, name="breach_report"),
    path("breaches/<int:pk>/close/", views_breach.breach_close, name="breach_close"),
    path("breaches/<int:pk>/who-saw-what/", views_breach.breach_who_saw_what, name="breach_who_saw_what"),
    path("breaches/<int:pk>/account/", views_breach.breach_account, name="breach_account"),
]
