"""Every clock of SPEC §4 with controlled time: overdue when it should be, escalated once, to the right
manager, shown on the right dashboard, and resolved when the work is done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from homeward.audit.models import AuditEvent
from homeward.conftest import TEST_PASSWORD, make_user
from homeward.episodes import actions
from homeward.episodes.clocks import escalate_overdue_clocks, overdue_clocks
from homeward.episodes.models import Clock, ClockAlert, Episode
from homeward.episodes.tests.factories import assess, find, make_adult, make_ruby, report
from homeward.errors import IllegalTransition, NotAllowed
from homeward.identity.models import Organisation, OrganisationKind
from homeward.identity.roles import Role
from homeward.returns.models import ReturnInterview

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


def clocks_at(now: dt.datetime, episode: Episode) -> set[str]:
    return {o.clock for o in overdue_clocks(now=now) if o.episode_id == episode.pk}


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def test_risk_review_is_overdue_only_after_its_due_time(world):
    episode = assess(world, report(world, make_ruby(world)), level="medium")
    due = episode.next_review_due
    assert due is not None
    assert Clock.REVIEW not in clocks_at(due - M, episode)
    assert Clock.REVIEW in clocks_at(due + M, episode)


def test_sign_off_is_overdue_an_hour_after_an_unsigned_assessment_and_not_once_signed(world, settings):
    settings.HOMEWARD_SIGN_OFF_MINUTES = 60
    episode = assess(world, report(world, make_ruby(world)))
    due = episode.sign_off_due
    assert due is not None
    assert Clock.SIGN_OFF not in clocks_at(due - M, episode)
    assert Clock.SIGN_OFF in clocks_at(due + M, episode)
    latest = episode.risk_assessments.order_by("-sequence").first()
    actions.risk_assessment_sign_off(
        actor=world.supervisor, assessment=latest, expected_version=episode.version, note="Agreed."
    )
    assert Clock.SIGN_OFF not in clocks_at(due + M, episode)


def test_mpu_clock_runs_72_hours_from_the_report_until_the_unit_is_told(world, settings):
    settings.HOMEWARD_MPU_NOTIFY_HOURS = 72
    episode = assess(world, report(world, make_adult(world), from_home=False), level="low")
    due = episode.reported_at + 72 * H
    assert Clock.MPU not in clocks_at(due - M, episode)
    assert Clock.MPU in clocks_at(due + M, episode)
    episode = actions.episode_record_mpu_notified(
        actor=world.officer, episode=episode, expected_version=episode.version, reference="MPU/123"
    )
    assert (episode.mpu_reference, episode.mpu_notified_by) == ("MPU/123", world.officer)
    assert Clock.MPU not in clocks_at(due + M, episode)
    with pytest.raises(IllegalTransition):
        actions.episode_record_mpu_notified(
            actor=world.officer, episode=episode, expected_version=episode.version
        )
    assert (
        AuditEvent.objects.filter(event_type="episode.mpu_notified", object_ids=[str(episode.pk)]).count()
        == 1
    )


def test_prevention_interview_is_due_in_one_hour_after_high_risk_and_24_hours_otherwise(world, settings):
    settings.HOMEWARD_PREVENTION_INTERVIEW_HOURS = 24
    settings.HOMEWARD_PREVENTION_INTERVIEW_HIGH_RISK_HOURS = 1
    high = find(world, assess(world, report(world, make_ruby(world)), level="high"))
    medium = find(world, assess(world, report(world, make_adult(world), from_home=False), level="medium"))
    assert high.found_at is not None and medium.found_at is not None
    assert Clock.PREVENTION_INTERVIEW not in clocks_at(high.found_at + H - M, high)
    assert Clock.PREVENTION_INTERVIEW in clocks_at(high.found_at + H + M, high)
    assert Clock.PREVENTION_INTERVIEW not in clocks_at(medium.found_at + 23 * H, medium)
    assert Clock.PREVENTION_INTERVIEW in clocks_at(medium.found_at + 24 * H + M, medium)
    actions.prevention_interview_record(
        actor=world.officer,
        episode=medium,
        expected_version=medium.version,
        data=actions.InterviewData(
            outcome="completed", conducted_at=timezone.now(), support_needed="Talked about school."
        ),
    )
    assert Clock.PREVENTION_INTERVIEW not in clocks_at(medium.found_at + 25 * H, medium)


def test_rhi_offer_clock_escalates_to_the_service_manager(world, settings):
    service = Organisation.objects.create(
        name="Return Interview Service A", kind=OrganisationKind.RHI_SERVICE, force=world.force
    )
    manager = make_user("mo_manager", service, Role.CSC_MISSING_OFFICER)
    episode = find(world, assess(world, report(world, make_ruby(world))))
    rhi = ReturnInterview.objects.get(episode=episode)
    assert rhi.referred_to == service
    late = rhi.offer_due_at + M
    overdue = [o for o in overdue_clocks(now=late) if o.clock == Clock.RHI_OFFER]
    assert [(o.episode_id, o.organisation_id, o.role) for o in overdue] == [
        (episode.pk, service.pk, Role.CSC_MISSING_OFFICER)
    ]
    escalate_overdue_clocks(now=late)
    alert = ClockAlert.objects.get(clock=Clock.RHI_OFFER)
    assert alert.organisation == service
    # The manager sees it on their home page; the police dashboard leaves it to the service.
    page = client_for(manager).get("/cases/")
    assert b'data-overdue="rhi_offer"' in page.content
    rows = client_for(world.supervisor).get("/dashboard/rows/")
    assert b'data-overdue="rhi_offer"' not in rows.content
    other = make_user("walt_worker", service, Role.RHI_WORKER)
    assert not actions_alerts_visible_to(other)


def actions_alerts_visible_to(user) -> bool:
    from homeward.episodes.selectors import overdue_for

    return bool(overdue_for(actor=user))


def test_sweep_escalates_each_missed_clock_once_and_resolves_it_when_done(world):
    episode = assess(world, report(world, make_ruby(world)), level="high")
    later = episode.sign_off_due + M
    first = escalate_overdue_clocks(now=later)
    assert first.escalated == 1
    alert = ClockAlert.objects.get(episode=episode, clock=Clock.SIGN_OFF)
    assert (alert.organisation, alert.role, alert.resolved_at) == (world.force, Role.SUPERVISOR, None)
    # Running again, or twice over (a retried task), escalates nothing more.
    assert escalate_overdue_clocks(now=later + M).escalated == 0
    assert escalate_overdue_clocks(now=later + 2 * M).escalated == 0
    assert ClockAlert.objects.filter(episode=episode).count() == 1
    assert AuditEvent.objects.filter(event_type="clock.escalated").count() == 1
    latest = episode.risk_assessments.order_by("-sequence").first()
    actions.risk_assessment_sign_off(
        actor=world.supervisor, assessment=latest, expected_version=episode.version, note="Agreed."
    )
    result = escalate_overdue_clocks(now=later + 3 * M)
    alert.refresh_from_db()
    assert result.resolved == 1 and alert.resolved_at == later + 3 * M


def test_new_due_time_after_a_review_is_a_new_escalation(world):
    episode = assess(world, report(world, make_ruby(world)), level="high")
    first_due = episode.next_review_due
    escalate_overdue_clocks(now=first_due + M)
    episode = assess(world, episode, level="high")
    assert episode.next_review_due != first_due
    escalate_overdue_clocks(now=episode.next_review_due + M)
    reviews = ClockAlert.objects.filter(episode=episode, clock=Clock.REVIEW).order_by("due_at")
    assert [a.due_at for a in reviews] == [first_due, episode.next_review_due]
    assert reviews[0].resolved_at is not None and reviews[1].resolved_at is None


def test_overdue_shows_on_the_supervisors_dashboard_poll_before_any_sweep(world, settings):
    settings.HOMEWARD_SIGN_OFF_MINUTES = 0
    episode = assess(world, report(world, make_ruby(world)))
    Episode.objects.filter(pk=episode.pk).update(sign_off_due=timezone.now() - M)
    rows = client_for(world.supervisor).get("/dashboard/rows/")
    assert b'data-overdue="sign_off"' in rows.content
    assert b"(escalating)" in rows.content  # computed live; the sweep has not run yet
    escalate_overdue_clocks(now=timezone.now())
    rows = client_for(world.supervisor).get("/dashboard/rows/")
    assert b"Take on" in rows.content


def test_only_the_manager_it_was_escalated_to_may_take_it_on(world):
    episode = assess(world, report(world, make_ruby(world)))
    escalate_overdue_clocks(now=episode.sign_off_due + M)
    alert = ClockAlert.objects.get(episode=episode, clock=Clock.SIGN_OFF)
    with pytest.raises(NotAllowed):
        actions.clock_alert_acknowledge(actor=world.officer, alert=alert)
    # An outsider cannot even find it.
    assert client_for(world.outsider).post(f"/clock-alerts/{alert.pk}/acknowledge/").status_code == 404
    response = client_for(world.supervisor).post(f"/clock-alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.supervisor
    assert AuditEvent.objects.filter(event_type="clock.acknowledged").count() == 1
    actions.clock_alert_acknowledge(actor=world.supervisor, alert=alert)
    assert AuditEvent.objects.filter(event_type="clock.acknowledged").count() == 1


def test_partners_never_see_police_overdue_items(world):
    episode = assess(world, report(world, make_ruby(world)))
    escalate_overdue_clocks(now=episode.sign_off_due + M)
    for user in (world.partner, world.care_staff, world.outsider, world.commissioner):
        assert not actions_alerts_visible_to(user), user.username


def test_mpu_form_on_the_episode_page_records_the_notification(world):
    episode = assess(world, report(world, make_adult(world), from_home=False), level="low")
    client = client_for(world.officer)
    page = client.get(f"/episodes/{episode.pk}/")
    assert b"Record unit told" in page.content
    response = client.post(f"/episodes/{episode.pk}/mpu/", {"version": episode.version, "reference": "MPU-9"})
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.mpu_reference == "MPU-9" and episode.mpu_notified_at is not None
    stale = client.post(f"/episodes/{episode.pk}/mpu/", {"version": 1, "reference": "again"})
    assert stale.status_code == 302
    episode.refresh_from_db()
    assert episode.mpu_reference == "MPU-9"


def test_a_late_offer_with_no_service_manager_goes_to_the_force_supervisors(world):
    episode = find(world, assess(world, report(world, make_ruby(world))))
    rhi = ReturnInterview.objects.get(episode=episode)
    late = rhi.offer_due_at + M
    # With no return interview service in the world the council takes the referral; its missing
    # officer manages it.
    assert rhi.referred_to == world.council_b
    items = [o for o in overdue_clocks(now=late) if o.clock == Clock.RHI_OFFER]
    assert [(o.organisation_id, o.role) for o in items] == [(world.council_b.pk, Role.CSC_MISSING_OFFICER)]
    # A referral that went nowhere is still escalated, to the force.
    ReturnInterview.objects.filter(pk=rhi.pk).update(referred_to=None)
    escalate_overdue_clocks(now=late)
    alert = ClockAlert.objects.get(episode=episode, clock=Clock.RHI_OFFER)
    assert (alert.organisation, alert.role) == (world.force, Role.SUPERVISOR)
    # A service with workers but no manager: still the force.
    service = Organisation.objects.create(
        name="Return Interview Service A", kind=OrganisationKind.RHI_SERVICE, force=world.force
    )
    make_user("walt_worker", service, Role.RHI_WORKER)
    ReturnInterview.objects.filter(pk=rhi.pk).update(referred_to=service)
    items = [o for o in overdue_clocks(now=late) if o.clock == Clock.RHI_OFFER]
    assert [(o.organisation_id, o.role) for o in items] == [(world.force.pk, Role.SUPERVISOR)]


def test_an_overlapping_earlier_sweep_does_not_resolve_a_later_sweeps_alert(world):
    episode = assess(world, report(world, make_ruby(world)))
    due = episode.sign_off_due
    escalate_overdue_clocks(now=due + 2 * M)  # the later sweep writes the alert
    alert = ClockAlert.objects.get(episode=episode, clock=Clock.SIGN_OFF)
    # A sweep that started earlier (its snapshot taken before the clock ran out) finishes afterwards.
    escalate_overdue_clocks(now=due - M)
    alert.refresh_from_db()
    assert alert.resolved_at is None


def test_the_banner_shows_ten_and_links_to_a_page_with_all_of_them(world):
    ids = []
    for i in range(11):
        person = make_adult(world, given=f"Adult{i}", family=f"Tester{i}")
        ids.append(assess(world, report(world, person, from_home=False), level="low").pk)
    Episode.objects.filter(pk__in=ids).update(sign_off_due=timezone.now() - M)
    client = client_for(world.supervisor)
    rows = client.get("/dashboard/rows/").content.decode()
    assert rows.count('data-overdue="sign_off"') == 10
    assert "11 supervisor sign-off" in rows and "See all 11 overdue items" in rows
    everything = client.get("/dashboard/overdue/")
    assert everything.status_code == 200
    assert everything.content.decode().count('data-overdue="sign_off"') == 11
    assert client_for(world.partner).get("/dashboard/overdue/").status_code == 403
