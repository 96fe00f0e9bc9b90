from __future__ import annotations

from django.urls import URLPattern, path

from homeward.returns import views

app_name = "returns"
urlpatterns: list[URLPattern] = [
    path("", views.rhi_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/claim/", views.claim, name="claim"),
    path("findings/", views.findings, name="findings"),
    path("findings/<int:pk>/", views.decide, name="decide"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/offer/", views.offer, name="offer"),
    path("<int:pk>/outcome/", views.outcome, name="outcome"),
    path("<int:pk>/propose/", views.propose, name="propose"),
]
