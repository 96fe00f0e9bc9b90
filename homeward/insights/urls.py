from __future__ import annotations

from django.urls import URLPattern, path

from homeward.insights import views, views_profile, views_returns, views_subscriptions

app_name = "insights"
urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("weekly/", views.weekly, name="weekly"),
    path("measures/", views.measures, name="measures"),
    path("quarterly/", views.quarterly, name="quarterly"),
    path("problem-profile/", views_profile.page, name="problem_profile"),
    path("national-returns/", views_returns.page, name="national_returns"),
    path("weekly/subscription/", views_subscriptions.subscriptions, name="subscriptions"),
    path("weekly/delivered/<int:pk>/", views_subscriptions.delivered, name="delivered"),
]
