"""P14: the breach responders are emailed once when an incident's 72 hours have 24 or fewer left and once
when they have run out — never for an incident reported, decided unreportable or closed, never twice,
only to the incident's own organisation, and with no personal details."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from homeward.audit import actions
from homeward.audit.breach_warnings import awaiting_a_warning, send_breach_deadline_warnings
from homeward.audit.models import AuditEvent, BreachCategory, BreachIncident, BreachStatus, IcoDecision
from homeward.conftest import make_user
from homeward.episodes.tasks import clocks_sweep
from homeward.episodes.tests.factories import make_ruby
from homeward.identity.models import Organisation, OrganisationKind
from homeward.identity.roles import Role

pytestmark = pytest.mark.django_db

# Monday 9 November 2026, GMT (UTC = local time in November): the incident is discovered then.
T0 = dt.datetime(2026, 11, 9, 9, 0, tzinfo=dt.UTC)
NEAR = T0 + dt.timedelta(hours=48)  # 24 hours left
DEADLINE = T0 + dt.timedelta(hours=72)

WARNED = ("breach_incident.deadline_near_warned", "breach_incident.overdue_warned")


@pytest.fixture
def auditor(world):
    user = make_user("audrey_auditor", world.force, Role.AUDITOR)
    user.email = "audrey@example.org"
    user.save()
    return user


def _open(auditor, time_machine, **fields) -> BreachIncident:
    time_machine.move_to(T0, tick=False)
    values = {
        "suspected_user_ids": [auditor.pk],
        "discovered_at": T0,
        "discovered_by": "Duty inspector Ian Ingram",
        "description": "Briefing sheet emailed to the wrong council",
        "category": BreachCategory.CONFIDENTIALITY,
        "window_start": T0 - dt.timedelta(days=1),
    }
    values.update(fields)
    return actions.breach_incident_open(actor=auditor, **values)


def _sweep_at(when: dt.datetime, time_machine) -> int:
    time_machine.move_to(when, tick=False)
    return send_breach_deadline_warnings()


def _warnings() -> list[str]:
    return list(AuditEvent.objects.filter(event_type__in=WARNED).values_list("event_type", flat=True))


def test_nothing_is_sent_while_more_than_24_hours_are_left(auditor, time_machine):
    _open(auditor, time_machine)
    for when in (T0, T0 + dt.timedelta(hours=24), NEAR - dt.timedelta(minutes=1)):
        assert _sweep_at(when, time_machine) == 0
    assert mail.outbox == [] and _warnings() == []


def test_one_warning_at_24_hours_left_and_one_once_overdue_across_many_sweeps(auditor, time_machine):
    incident = _open(auditor, time_machine)
    mail.outbox.clear()

    time_machine.move_to(NEAR, tick=False)
    assert clocks_sweep.call() == 0  # the sweep runs the step (it returns its long-term moves)
    assert len(mail.outbox) == 1
    near = mail.outbox[0]
    assert near.to == ["audrey@example.org"]
    assert f"breach incident {incident.pk} must be reported to the ICO within 24 hours" in near.subject
    assert "At 09:00 on 11 November: 1 day left." in near.body
    assert "by 09:00 on Thursday 12 November 2026" in near.body
    incident.refresh_from_db()
    assert incident.deadline_near_warned_at == NEAR and incident.overdue_warned_at is None

    # Every minute until the deadline, and at the deadline itself: nothing more.
    for when in (NEAR + dt.timedelta(minutes=1), NEAR + dt.timedelta(hours=12), DEADLINE):
        time_machine.move_to(when, tick=False)
        clocks_sweep.call()
    assert len(mail.outbox) == 1

    time_machine.move_to(DEADLINE + dt.timedelta(minutes=1), tick=False)
    clocks_sweep.call()
    assert len(mail.outbox) == 2
    overdue = mail.outbox[1]
    assert f"breach incident {incident.pk} is overdue" in overdue.subject
    assert "At 09:01 on 12 November: Overdue by 1 minute." in overdue.body and "s.67(4)" in overdue.body

    for when in (DEADLINE + dt.timedelta(minutes=2), DEADLINE + dt.timedelta(days=3)):
        time_machine.move_to(when, tick=False)
        clocks_sweep.call()
    assert len(mail.outbox) == 2
    assert _warnings() == list(WARNED)
    event = AuditEvent.objects.get(event_type="breach_incident.overdue_warned")
    assert event.object_type == "breach_incident" and event.object_ids == [str(incident.pk)]
    assert event.actor_user_id is None and event.operation == "admin"
    # The warnings do not touch the version, so a responder's open form still saves.
    incident.refresh_from_db()
    assert incident.version == 1 and incident.overdue_warned_at == DEADLINE + dt.timedelta(minutes=1)


def test_an_incident_first_seen_after_its_deadline_gets_only_the_overdue_warning(auditor, time_machine):
    _open(auditor, time_machine)
    assert _sweep_at(DEADLINE + dt.timedelta(hours=5), time_machine) == 1
    assert _sweep_at(DEADLINE + dt.timedelta(hours=6), time_machine) == 0
    assert [m.subject.endswith("is overdue for its report to the ICO") for m in mail.outbox] == [True]
    assert _warnings() == ["breach_incident.overdue_warned"]


def _report(incident, auditor):
    actions.breach_incident_record_report(
        actor=auditor,
        incident=incident,
        expected_version=incident.version,
        reported_at=T0 + dt.timedelta(hours=1),
    )


def _decide_not_reportable(incident, auditor):
    actions.breach_incident_update(
        actor=auditor,
        incident=incident,
        expected_version=incident.version,
        ico_decision=IcoDecision.NOT_REPORT,
        not_reported_reason="Encrypted device; the key was not with it",
    )


def _close_undecided(incident, auditor):
    # The close action needs a report or a decision first, which stop the clock by themselves; this
    # shows the status alone is enough to stop the warnings.
    BreachIncident.objects.filter(pk=incident.pk).update(status=BreachStatus.CLOSED)


@pytest.mark.parametrize("settle", [_report, _decide_not_reportable, _close_undecided])
def test_no_warning_for_an_incident_reported_not_reportable_or_closed(auditor, time_machine, settle):
    incident = _open(auditor, time_machine)
    time_machine.move_to(T0 + dt.timedelta(hours=2), tick=False)
    settle(incident, auditor)
    mail.outbox.clear()
    for when in (NEAR, DEADLINE + dt.timedelta(minutes=1), DEADLINE + dt.timedelta(days=7)):
        assert _sweep_at(when, time_machine) == 0
    assert mail.outbox == [] and _warnings() == []


def test_a_decision_to_report_keeps_the_clock_running(auditor, time_machine):
    incident = _open(auditor, time_machine)
    actions.breach_incident_update(
        actor=auditor, incident=incident, expected_version=incident.version, ico_decision=IcoDecision.REPORT
    )
    assert _sweep_at(NEAR, time_machine) == 1 and len(mail.outbox) == 1


def test_only_the_incidents_own_organisations_breach_responders_are_emailed(auditor, world, time_machine):
    colleague = make_user("alex_auditor", world.force, Role.AUDITOR)
    colleague.email = "alex@example.org"
    colleague.save()
    make_user("anna_auditor", world.force, Role.AUDITOR)  # no email address: nothing to send to
    departed = make_user("dora_auditor", world.force, Role.AUDITOR)
    departed.email, departed.is_active = "dora@example.org", False
    departed.save()
    world.supervisor.email = "sam@example.org"  # a supervisor does not respond to breaches
    world.supervisor.save()
    admin = make_user("adam_admin", world.force, Role.ADMINISTRATOR)
    admin.email = "adam@example.org"
    admin.save()
    other = Organisation.objects.create(name="Force B Police", kind=OrganisationKind.POLICE_FORCE)
    elsewhere = make_user("bea_auditor", other, Role.AUDITOR)
    elsewhere.email = "bea@example.org"
    elsewhere.save()

    _open(auditor, time_machine)
    assert _sweep_at(NEAR, time_machine) == 1
    assert [sorted(m.to) for m in mail.outbox] == [["alex@example.org", "audrey@example.org"]]
    assert AuditEvent.objects.get(event_type__in=WARNED).reason_text.endswith("emailed 2 breach responders")


def test_the_email_carries_no_personal_details(auditor, world, time_machine):
    ruby = make_ruby(world)
    incident = _open(auditor, time_machine, person_ids=[ruby.pk], suspected_user_ids=[world.officer.pk])
    _sweep_at(NEAR, time_machine)
    _sweep_at(DEADLINE + dt.timedelta(hours=1), time_machine)
    assert len(mail.outbox) == 2
    path = reverse("audit:breach_detail", args=[incident.pk])
    for message in mail.outbox:
        text = message.subject + "\n" + message.body
        assert path in message.body and "no personal details" in message.body
        for personal in (
            ruby.given_name,
            ruby.family_name,
            world.officer.username,
            world.officer.last_name,
            auditor.username,
            "Ian Ingram",
            "wrong council",
        ):
            assert personal not in text


def test_the_sweep_step_is_one_query_when_nothing_is_due(auditor, time_machine, django_assert_num_queries):
    _open(auditor, time_machine)
    time_machine.move_to(NEAR - dt.timedelta(minutes=1), tick=False)
    with django_assert_num_queries(1):
        assert send_breach_deadline_warnings() == 0


def test_the_look_for_incidents_to_warn_about_reads_the_partial_index(auditor, time_machine):
    _open(auditor, time_machine)
    sql, params = awaiting_a_warning(NEAR).query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A table this small is read whole whatever the indexes; forbidding that shows whether the
            # query's condition implies the index's, which is what lets a large table use it.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "breach_awaiting_warning" in plan
