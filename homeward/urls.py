from __future__ import annotations

from django.contrib.auth.views import LogoutView
from django.urls import include, path

from homeward.api import api
from homeward.episodes import views as episodes
from homeward.identity import auth_views
from homeward.identity import views as identity
from homeward.people import views as people
from homeward.places import views as places

urlpatterns = [
    path("api/v1/", api.urls),
    path("", identity.home, name="home"),
    path("login/", auth_views.second_factor_exempt(auth_views.SignInView.as_view()), name="login"),
    path("login/code/", auth_views.mfa_verify, name="mfa_verify"),
    path("login/set-up/", auth_views.mfa_enrol, name="mfa_enrol"),
    path(
        "login/confirm/", auth_views.password_expiry_exempt(auth_views.reauthenticate), name="reauthenticate"
    ),
    path("account/sign-in/", auth_views.account_security, name="account_security"),
    path("account/sign-in/password/", auth_views.password_change, name="password_change"),
    path("account/sign-in/backup-codes/", auth_views.backup_codes_renew, name="backup_codes_renew"),
    path("account/sign-in/new-app/", auth_views.authenticator_replace, name="authenticator_replace"),
    path("logout/", auth_views.second_factor_exempt(LogoutView.as_view()), name="logout"),
    path("sharing-rules/", identity.sharing_rules, name="sharing_rules"),
    path("organisation/accounts/", include("homeward.identity.account_admin")),
    path("dashboard/", episodes.dashboard, name="dashboard"),
    path("dashboard/rows/", episodes.dashboard_rows, name="dashboard_rows"),
    path("dashboard/overdue/", episodes.overdue_list, name="overdue_list"),
    path("cases/", episodes.partner_home, name="partner_home"),
    path("report/", people.report_start, name="report_start"),
    path("report/new-person/", people.person_new, name="person_new"),
    path("report/person/<int:person_id>/", episodes.report_circumstances, name="report_circumstances"),
    path("episodes/<int:pk>/", episodes.episode_detail, name="episode_detail"),
    path("episodes/<int:pk>/risk/", episodes.risk_new, name="risk_new"),
    path(
        "episodes/<int:pk>/risk/<int:assessment_id>/sign-off/", episodes.risk_sign_off, name="risk_sign_off"
    ),
    path("episodes/<int:pk>/found/", episodes.found_new, name="found_new"),
    path("episodes/<int:pk>/interview/", episodes.interview_new, name="interview_new"),
    path("episodes/<int:pk>/close/", episodes.close, name="episode_close"),
    path("episodes/<int:pk>/not-recorded/", episodes.not_recorded, name="not_recorded"),
    path("episodes/<int:pk>/long-term/", episodes.long_term, name="long_term"),
    path("episodes/<int:pk>/mpu/", episodes.mpu_notified, name="mpu_notified"),
    path(
        "clock-alerts/<int:pk>/acknowledge/", episodes.clock_alert_acknowledge, name="clock_alert_acknowledge"
    ),
    path("episodes/<int:pk>/updates/", episodes.update_add, name="update_add"),
    path("episodes/<int:pk>/enquiries/", episodes.enquiry_add, name="enquiry_add"),
    path("episodes/<int:pk>/sightings/", episodes.sighting_new, name="sighting_new"),
    path("enquiries/<int:pk>/", episodes.enquiry_edit, name="enquiry_edit"),
    path("episodes/<int:pk>/appeal/", episodes.escalation_new, name="escalation_new"),
    path("appeals/", episodes.escalation_list, name="escalation_list"),
    path("appeals/<int:pk>/", episodes.escalation_decide, name="escalation_decide"),
    path("people/", people.person_search, name="person_search"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/add/", people.person_add_fact, name="person_add_fact"),
    path("people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    path("people/<int:pk>/address/", people.person_add_address, name="person_add_address"),
    path("people/<int:pk>/photo/", people.person_add_photo, name="person_add_photo"),
    path("people/<int:pk>/merge/", people.person_merge, name="person_merge"),
    path("photos/<int:pk>/", people.person_photo, name="person_photo"),
    path("locations/", places.location_list, name="location_list"),
    path("locations/new/", places.location_new, name="location_new"),
    path("locations/<int:pk>/", places.location_detail, name="location_detail"),
    path("locations/<int:pk>/locality/", places.locality_assessment_new, name="locality_assessment_new"),
    path("inbox/", include("homeward.notifications.urls")),
    path("profiles/", include("homeward.protocols.urls")),
    path("interviews/", include("homeward.returns.urls")),
    path("prevention/", include("homeward.prevention.urls")),
    path("families/", include("homeward.families.urls")),
    path("chronology/", include("homeward.chronology.urls")),
    path("data-protection/", include("homeward.dataprotection.urls")),
    path("reports/", include("homeward.insights.urls")),
    path("audit/", include("homeward.audit.urls")),
]
