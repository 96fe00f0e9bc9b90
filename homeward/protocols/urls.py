from __future__ import annotations

from django.urls import URLPattern, path

from homeward.protocols import views

app_name = "protocols"
urlpatterns: list[URLPattern] = [
    path("", views.profile_list, name="list"),
    path("new/", views.profile_new, name="new"),
    path("new/<int:person_id>/", views.profile_create, name="create"),
    path("new/resident/", views.resident_new, name="resident_new"),
    path("<int:pk>/", views.profile_detail, name="detail"),
    path("<int:pk>/edit/", views.profile_edit, name="edit"),
    path("<int:pk>/review/", views.profile_review, name="review"),
    path("<int:pk>/photo/", views.profile_photo, name="photo"),
    path("<int:pk>/photo/add/", views.profile_photo_add, name="photo_add"),
    path("<int:pk>/transfer/", views.profile_transfer, name="transfer"),
    path("<int:pk>/close/", views.profile_close, name="close"),
    path("<int:pk>/missing/", views.report_new, name="report_new"),
    path("reports/", views.submitted, name="submitted"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/start/", views.report_start, name="report_start"),
    path("reports/<int:pk>/link/", views.report_link, name="report_link"),
    path("reports/<int:pk>/withdraw/", views.report_withdraw, name="report_withdraw"),
]
