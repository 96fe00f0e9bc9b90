from __future__ import annotations

from django.urls import URLPattern, path

from homeward.prevention import views

app_name = "prevention"
urlpatterns: list[URLPattern] = [
    path("", views.plan_list, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/close/", views.plan_close, name="plan_close"),
    path("plans/<int:pk>/actions/new/", views.plan_action_new, name="plan_action_new"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/record/", views.meeting_record, name="meeting_record"),
    path("meetings/<int:pk>/actions/new/", views.meeting_action_new, name="meeting_action_new"),
    path("actions/mine/", views.mine, name="mine"),
    path("actions/<int:pk>/outcome/", views.action_outcome, name="action_outcome"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("initiatives/", views.initiative_list, name="initiatives"),
    path("initiatives/new/", views.initiative_new, name="initiative_new"),
    path("initiatives/<int:pk>/edit/", views.initiative_edit, name="initiative_edit"),
]
