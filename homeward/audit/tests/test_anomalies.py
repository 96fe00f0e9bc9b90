"""Weekly audit review (P13): anomalies from hand-built audit events, delivered once a week per force."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from homeward.audit.anomalies import anomalies_for_force, deliver_anomaly_reports
from homeward.audit.log import audit_record
from homeward.audit.models import AuditAnomalyReport, AuditEvent
from homeward.conftest import make_user
from homeward.identity.models import Organisation, OrganisationKind
from homeward.identity.roles import Role

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 11, 16, 7, 0, tzinfo=dt.UTC)  # local (GMT) 07:00, report due
SUNDAY = dt.date(2026, 11, 15)
WEDNESDAY_NOON = dt.datetime(2026, 11, 11, 12, 0, tzinfo=dt.UTC)
WEDNESDAY_3AM = dt.datetime(2026, 11, 11, 3, 0, tzinfo=dt.UTC)


def _at(when: dt.datetime, **kwargs) -> None:
    with time_machine.travel(when, tick=False):
        audit_record(**kwargs)


def _kinds(findings, user) -> set[str]:
    return {f["kind"] for f in findings if f["user_id"] == user.pk}


@override_settings(
    HOMEWARD_AUDIT_ANOMALY_RECORDS_PER_DAY=5,
    HOMEWARD_AUDIT_ANOMALY_NIGHT_EVENTS=2,
    HOMEWARD_AUDIT_ANOMALY_FAILED_SIGN_INS=3,
    HOMEWARD_AUDIT_ANOMALY_EXPORTS=2,
)
def test_each_kind_of_anomaly_is_found_and_ordinary_use_is_not(world):
    o, s = world.officer, world.supervisor
    _at(WEDNESDAY_NOON, actor=o, operation="consultation", event_type="person.searched", object_ids=range(6))
    _at(WEDNESDAY_NOON, actor=s, operation="consultation", event_type="person.searched", object_ids=range(4))
    for _ in range(3):
        _at(WEDNESDAY_3AM, actor=o, operation="consultation", event_type="person.viewed", object_ids=[1])
        _at(WEDNESDAY_NOON, actor=o, operation="auth", event_type="sign_in.failed")
        _at(WEDNESDAY_NOON, actor=o, operation="disclosure", event_type="audit_log.exported")
    _at(WEDNESDAY_3AM, actor=s, operation="consultation", event_type="person.viewed", object_ids=[1])
    findings = anomalies_for_force(world.force, SUNDAY)
    assert _kinds(findings, o) == {"many_records", "night_consultations", "failed_sign_ins", "many_exports"}
    assert _kinds(findings, s) == set()
    many = next(f for f in findings if f["kind"] == "many_records")
    assert many["count"] == 9 and "2026-11-11" in many["detail"]  # 6 + the three night reads


def test_events_outside_the_week_and_of_other_forces_are_not_counted(world):
    other = Organisation.objects.create(name="Force B Police", kind=OrganisationKind.POLICE_FORCE)
    stranger = make_user("bea_b", other, Role.OFFICER)
    with override_settings(HOMEWARD_AUDIT_ANOMALY_RECORDS_PER_DAY=1):
        _at(MONDAY, actor=world.officer, operation="consultation", event_type="x.viewed", object_ids=[1, 2])
        _at(
            WEDNESDAY_NOON, actor=stranger, operation="consultation", event_type="x.viewed", object_ids=[1, 2]
        )
        assert anomalies_for_force(world.force, SUNDAY) == []


def test_reading_an_episode_of_another_force_is_an_anomaly(world):
    from homeward.episodes.models import Episode
    from homeward.episodes.tests.factories import make_ruby, report

    other = Organisation.objects.create(name="Force B Police", kind=OrganisationKind.POLICE_FORCE)
    own, elsewhere = report(world, make_ruby(world)), report(world, make_ruby(world))
    Episode.objects.filter(pk=elsewhere.pk).update(force=other)
    read = {"operation": "consultation", "event_type": "episode.viewed", "object_type": "episode"}
    _at(WEDNESDAY_NOON, actor=world.supervisor, object_ids=[own.pk], **read)
    _at(WEDNESDAY_NOON, actor=world.officer, object_ids=[own.pk, elsewhere.pk], **read)
    findings = [f for f in anomalies_for_force(world.force, SUNDAY) if f["kind"] == "other_force_reads"]
    assert [(f["user_id"], f["count"]) for f in findings] == [(world.officer.pk, 1)]


@override_settings(HOMEWARD_AUDIT_ANOMALY_FAILED_SIGN_INS=1)
def test_one_report_a_week_per_force_to_its_supervisors(world):
    world.supervisor.email = "sam@example.org"
    world.supervisor.save()
    _at(WEDNESDAY_NOON, actor=world.officer, operation="auth", event_type="sign_in.failed")
    assert deliver_anomaly_reports(now=MONDAY - dt.timedelta(hours=2)) == 1  # last week's, not yet this
    assert AuditAnomalyReport.objects.get().week_ending == SUNDAY - dt.timedelta(days=7)
    mail.outbox.clear()
    assert deliver_anomaly_reports(now=MONDAY) == 1
    assert deliver_anomaly_reports(now=MONDAY + dt.timedelta(minutes=1)) == 0
    report = AuditAnomalyReport.objects.get(week_ending=SUNDAY)
    assert [f["kind"] for f in report.findings] == ["failed_sign_ins"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sam@example.org"]
    assert "oscar" not in mail.outbox[0].body and "1 anomalies" in mail.outbox[0].body
    assert AuditEvent.objects.filter(event_type="audit_anomalies.reported").count() == 2


def test_the_page_shows_the_latest_report_to_supervisors_and_auditors_only(client, world):
    AuditAnomalyReport.objects.create(
        force=world.force,
        week_ending=SUNDAY,
        created_at=MONDAY,
        findings=[{"kind": "many_exports", "user_id": world.officer.pk, "count": 30, "detail": "exports"}],
    )
    auditor = make_user("audrey_auditor", world.force, Role.AUDITOR)
    for user in (world.supervisor, auditor):
        client.force_login(user)
        response = client.get("/audit/anomalies/")
        assert response.status_code == 200
        assert b"many_exports" in response.content and b"oscar_officer" in response.content
    assert AuditEvent.objects.filter(event_type="audit_anomalies.viewed").count() == 2
    client.force_login(world.officer)
    assert client.get("/audit/anomalies/").status_code == 403
