from __future__ import annotations

from django.urls import URLPattern, path

from homeward.dataprotection import views

app_name = "dataprotection"
urlpatterns: list[URLPattern] = [
    path("", views.review_queue, name="queue"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/subject-access/", views.subject_access_export, name="subject_access_export"),
    path("people/<int:pk>/retain/", views.retain, name="retain"),
    path("people/<int:pk>/erase/", views.erase, name="erase"),
    path("episodes/<int:pk>/reported-in-error/", views.episode_in_error, name="episode_in_error"),
]
