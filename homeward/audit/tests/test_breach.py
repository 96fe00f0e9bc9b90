"""P14 (DPA 2018 s.67): the breach incident record with its 72-hour clock, "who saw what" for the
incident's records and "what did this user see" for a suspected account, on the page and as downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading
import time

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from homeward.audit import actions
from homeward.audit.log import audit_record
from homeward.audit.models import (
    AuditEvent,
    BreachCategory,
    BreachIncident,
    BreachIncidentChange,
    BreachStatus,
    IcoDecision,
    Operation,
)
from homeward.conftest import make_user
from homeward.episodes.tests.factories import make_adult, make_ruby, report
from homeward.errors import EditConflict
from homeward.identity.models import Organisation, OrganisationKind
from homeward.identity.roles import Role
from homeward.identity.signin import PASSWORD_AT

pytestmark = pytest.mark.django_db

LIST = reverse("audit:breach_list")
NEW = reverse("audit:breach_new")

# Monday 9 November 2026, GMT (UTC = local time in November).
T0 = dt.datetime(2026, 11, 9, 9, 0, tzinfo=dt.UTC)


def _local(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def auditor(world):
    return make_user("audrey_auditor", world.force, Role.AUDITOR)


@pytest.fixture
def auditor_client(client, auditor):
    client.force_login(auditor)
    return client


def _open(auditor, *, discovered_at=None, window_start=None, window_end=None, **fields) -> BreachIncident:
    now = timezone.now()
    values = {
        "discovered_at": discovered_at or now,
        "discovered_by": "Duty inspector",
        "description": "Briefing sheet emailed to the wrong council",
        "category": BreachCategory.CONFIDENTIALITY,
        "window_start": window_start or now - dt.timedelta(days=1),
        "window_end": window_end,
    }
    values.update(fields)
    return actions.breach_incident_open(actor=auditor, **values)


def _form(**overrides) -> dict[str, str]:
    now = timezone.now()
    data = {
        "discovered_at": _local(now - dt.timedelta(hours=2)),
        "discovered_by": "Sam Supervisor, duty sergeant",
        "description": "An officer's laptop with cached case pages was stolen from a car.",
        "category": "confidentiality",
        "person_ids": "",
        "episode_ids": "",
        "suspected_user_ids": "",
        "window_start": _local(now - dt.timedelta(days=2)),
        "window_end": "",
        "containment": "Account disabled; laptop remotely wiped.",
        "consequences": "",
        "ico_decision": "undecided",
        "not_reported_reason": "",
    }
    data.update(overrides)
    return data


# --- Opening and changing an incident ------------------------------------------------------------------


def test_opening_an_incident_records_it_and_logs_a_collection(auditor_client, auditor, world):
    ruby = make_ruby(world)
    response = auditor_client.post(
        NEW, _form(person_ids=f"{ruby.pk}", suspected_user_ids=f"{world.officer.pk}, {world.officer.pk}")
    )
    incident = BreachIncident.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "audit:breach_detail", args=[incident.pk]
    )
    assert incident.organisation == world.force and incident.opened_by == auditor
    assert incident.person_ids == [ruby.pk] and incident.suspected_user_ids == [world.officer.pk]
    assert incident.status == BreachStatus.OPEN and incident.version == 1
    assert incident.deadline == incident.discovered_at + dt.timedelta(hours=72)
    event = AuditEvent.objects.get(event_type="breach_incident.opened")
    assert event.operation == Operation.COLLECTION and event.object_ids == [str(incident.pk)]
    assert event.actor_user_id == auditor.pk
    assert [c.summary for c in incident.changes.all()] == ["Incident opened"]


def test_bad_input_is_shown_beside_the_fields_and_what_was_typed_is_kept(auditor_client):
    response = auditor_client.post(
        NEW,
        _form(
            description="",
            person_ids="12, abc",
            window_start="2026-11-20T10:00",
            window_end="not a time",
            category="",
        ),
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"description", "person_ids", "window_end", "category"}
    html = response.content.decode()
    for field in ("description", "person_ids", "window_end", "category"):
        assert f'id="id_{field}-error"' in html
    assert 'value="12, abc"' in html and 'value="2026-11-20T10:00"' in html and 'value="not a time"' in html
    assert "Account disabled; laptop remotely wiped." in html
    assert not BreachIncident.objects.exists()


def test_the_action_refuses_ids_of_no_record_and_rules_beside_the_fields(auditor_client, world):
    ruby = make_ruby(world)
    now = timezone.now()
    response = auditor_client.post(
        NEW,
        _form(
            person_ids=f"{ruby.pk}, 987654",
            suspected_user_ids="987655",
            discovered_at=_local(now + dt.timedelta(days=1)),
            window_start=_local(now - dt.timedelta(hours=1)),
            window_end=_local(now - dt.timedelta(hours=3)),
            ico_decision="not_report",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["person_ids"] == ["There is no person with ID 987654"]
    assert errors["suspected_user_ids"] == ["There is no user account with ID 987655"]
    assert set(errors) == {
        "person_ids",
        "suspected_user_ids",
        "discovered_at",
        "window_end",
        "not_reported_reason",
    }
    assert f'value="{ruby.pk}, 987654"' in response.content.decode()
    assert (
        not BreachIncident.objects.exists()
        and not AuditEvent.objects.filter(event_type__startswith="breach_incident.").exists()
    )


def test_an_incident_names_at_least_one_record_or_account(auditor_client):
    response = auditor_client.post(NEW, _form())
    assert response.context["form"].errors["person_ids"] == [
        "Name at least one person, episode or user account involved"
    ]


def test_a_change_is_an_alteration_naming_the_fields_and_kept_in_the_history(auditor_client, auditor, world):
    incident = _open(auditor, suspected_user_ids=[world.officer.pk])
    edit = reverse("audit:breach_edit", args=[incident.pk])
    page = auditor_client.get(edit)
    form = page.context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    assert data["suspected_user_ids"] == str(world.officer.pk) and data["version"] == 1
    assert f'value="{_local(incident.discovered_at)}"' in page.content.decode()
    data.update(containment="Password reset and sessions ended.", window_end=_local(timezone.now()))
    response = auditor_client.post(edit, {k: "" if v is None else v for k, v in data.items()})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.version == 2 and incident.containment == "Password reset and sessions ended."
    event = AuditEvent.objects.get(event_type="breach_incident.updated")
    assert event.operation == Operation.ALTERATION and event.object_ids == [str(incident.pk)]
    assert event.changed_fields == ["containment", "window_end"]
    assert incident.changes.last().summary == "Changed window end, containment"


def test_a_second_editor_gets_a_conflict_and_nothing_is_overwritten(auditor_client, auditor, world):
    incident = _open(auditor, suspected_user_ids=[world.officer.pk])
    colleague = make_user("aled_auditor", world.force, Role.AUDITOR)
    other = Client()
    other.force_login(colleague)
    edit = reverse("audit:breach_edit", args=[incident.pk])
    form = auditor_client.get(edit).context["form"]
    seen = {name: form.initial.get(name) or "" for name in form.fields}
    # The colleague saves first, from the same version.
    assert other.post(edit, {**seen, "containment": "Laptop wiped."}).status_code == 302
    response = auditor_client.post(edit, {**seen, "consequences": "Risk of harm to Ruby."})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else changed this incident" in html and "Changed containment" in html
    assert "Risk of harm to Ruby." in html  # what was typed is kept
    incident.refresh_from_db()
    assert incident.containment == "Laptop wiped." and incident.consequences == "" and incident.version == 2
    assert AuditEvent.objects.filter(event_type="breach_incident.updated").count() == 1
    # The hidden version has moved on: submitting again is a deliberate save on top.
    assert response.context["form"].data["version"] == "2"
    again = auditor_client.post(edit, response.context["form"].data)
    assert again.status_code == 302
    incident.refresh_from_db()
    assert incident.consequences == "Risk of harm to Ruby." and incident.version == 3


def test_the_action_raises_a_conflict_on_a_stale_version(auditor, world):
    incident = _open(auditor, suspected_user_ids=[world.officer.pk])
    actions.breach_incident_update(actor=auditor, incident=incident, expected_version=1, containment="A")
    stale = BreachIncident.objects.get(pk=incident.pk)
    with pytest.raises(EditConflict) as caught:
        actions.breach_incident_update(actor=auditor, incident=stale, expected_version=1, containment="B")
    assert caught.value.current_version == 2
    assert [c["summary"] for c in caught.value.changes] == ["Changed containment"]


def test_a_failure_after_the_audit_insert_leaves_neither_event_nor_change(auditor, world, monkeypatch):
    incident = _open(auditor, suspected_user_ids=[world.officer.pk])
    before = AuditEvent.objects.count()

    def broken(self, *args, **kwargs):
        raise RuntimeError("after the audit insert")

    monkeypatch.setattr(BreachIncident, "refresh_from_db", broken)
    with pytest.raises(RuntimeError):
        actions.breach_incident_update(actor=auditor, incident=incident, expected_version=1, containment="X")
    monkeypatch.undo()
    incident.refresh_from_db()
    assert incident.containment == "" and incident.version == 1
    assert AuditEvent.objects.count() == before and incident.changes.count() == 1


# --- The 72 hours -----------------------------------------------------------------------------------


def test_the_deadline_is_72_hours_after_discovery_and_shown_overdue_after(
    client, auditor, world, time_machine
):
    time_machine.move_to(T0, tick=False)
    incident = _open(auditor, discovered_at=T0, suspected_user_ids=[world.officer.pk])
    assert incident.deadline == T0 + dt.timedelta(hours=72)
    detail = reverse("audit:breach_detail", args=[incident.pk])

    time_machine.move_to(T0 + dt.timedelta(hours=26, minutes=30), tick=False)
    client.force_login(auditor)
    page = client.get(LIST).content.decode()
    assert "1 day 21 hours left" in page and "data-overdue" not in page

    time_machine.move_to(T0 + dt.timedelta(hours=71, minutes=59), tick=False)
    client.force_login(auditor)
    assert "1 minute left" in client.get(LIST).content.decode()
    assert "data-overdue" not in client.get(detail).content.decode()

    time_machine.move_to(T0 + dt.timedelta(hours=72, minutes=1), tick=False)
    client.force_login(auditor)
    listed = client.get(LIST).content.decode()
    assert "data-overdue" in listed and "Overdue by 1 minute" in listed
    shown = client.get(detail).content.decode()
    assert "data-overdue" in shown and "Report it now and give the reasons for the delay" in shown
    assert incident.is_overdue(timezone.now())


def test_a_report_or_a_decision_not_to_report_stops_the_clock(auditor, world, time_machine):
    time_machine.move_to(T0, tick=False)
    reported = _open(auditor, discovered_at=T0, suspected_user_ids=[world.officer.pk])
    unreportable = _open(auditor, discovered_at=T0, suspected_user_ids=[world.officer.pk])
    time_machine.move_to(T0 + dt.timedelta(hours=48), tick=False)
    actions.breach_incident_record_report(
        actor=auditor, incident=reported, expected_version=1, reported_at=timezone.now(), ico_reference="IC-1"
    )
    actions.breach_incident_update(
        actor=auditor,
        incident=unreportable,
        expected_version=1,
        ico_decision=IcoDecision.NOT_REPORT,
        not_reported_reason="Encrypted device; key not lost",
    )
    time_machine.move_to(T0 + dt.timedelta(hours=100), tick=False)
    reported.refresh_from_db()
    unreportable.refresh_from_db()
    now = timezone.now()
    assert reported.status == BreachStatus.REPORTED and not reported.is_overdue(now)
    assert reported.deadline_text(now) == "Reported in time"
    assert not unreportable.is_overdue(now) and unreportable.deadline_text(now) == "Not reportable"


def test_a_report_after_72_hours_needs_the_reasons_for_the_delay(
    auditor_client, auditor, world, time_machine
):
    time_machine.move_to(T0, tick=False)
    incident = _open(auditor, discovered_at=T0, suspected_user_ids=[world.officer.pk])
    time_machine.move_to(T0 + dt.timedelta(hours=80), tick=False)
    auditor_client.force_login(auditor)
    url = reverse("audit:breach_report", args=[incident.pk])
    data = {
        "version": "1",
        "reported_at": _local(timezone.now()),
        "ico_reference": "IC-2",
        "delay_reason": "",
    }
    response = auditor_client.post(url, data)
    assert response.status_code == 200
    assert "delay_reason" in response.context["form"].errors and 'value="IC-2"' in response.content.decode()
    response = auditor_client.post(url, {**data, "delay_reason": "The theft was reported to us late."})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == BreachStatus.REPORTED and incident.reported_late
    event = AuditEvent.objects.get(event_type="breach_incident.reported")
    assert {"status", "reported_at", "ico_reference", "delay_reason", "ico_decision"} <= set(
        event.changed_fields
    )


def test_closing_needs_the_reporting_question_settled(auditor_client, auditor, world):
    incident = _open(auditor, suspected_user_ids=[world.officer.pk])
    url = reverse("audit:breach_close", args=[incident.pk])
    response = auditor_client.post(url, {"version": "1", "closing_note": "Done"})
    assert response.status_code == 200 and "Record the report to the ICO" in response.content.decode()
    actions.breach_incident_record_report(
        actor=auditor, incident=incident, expected_version=1, reported_at=timezone.now()
    )
    assert auditor_client.post(url, {"version": "2", "closing_note": "Done"}).status_code == 302
    incident.refresh_from_db()
    assert incident.status == BreachStatus.CLOSED and incident.closing_note == "Done"
    assert AuditEvent.objects.filter(event_type="breach_incident.closed").count() == 1


# --- Who saw what -------------------------------------------------------------------------------------


@pytest.fixture
def planted(world, auditor, time_machine):
    """Ruby's records, touched inside and outside a window; Daniel's, inside it. Returns the incident
    (Ruby, 10:00 to 14:00 on T0's day) and the ids of exactly the events that touch it."""
    time_machine.move_to(T0 - dt.timedelta(days=3), tick=False)
    ruby = make_ruby(world)
    episode = report(world, ruby)
    daniel = make_adult(world)
    daniel_episode = report(world, daniel, from_home=False)

    def at(hour: int, minute: int = 0, **kwargs) -> AuditEvent:
        time_machine.move_to(T0.replace(hour=hour, minute=minute), tick=False)
        return audit_record(**kwargs)

    expected = []
    at(
        9,
        59,
        actor=world.officer,
        operation="consultation",
        event_type="person.viewed",
        object_type="person",
        object_ids=[ruby.pk],
    )
    expected.append(
        at(
            10,
            0,
            actor=world.officer,
            operation="consultation",
            event_type="person.viewed",
            object_type="person",
            object_ids=[ruby.pk],
        )
    )
    # A search result listing Ruby among others; the incident names only Ruby's id.
    expected.append(
        at(
            10,
            30,
            actor=world.partner,
            operation="consultation",
            event_type="person.searched",
            object_type="person",
            object_ids=[daniel.pk, ruby.pk],
        )
    )
    expected.append(
        at(
            11,
            0,
            actor=world.supervisor,
            operation="alteration",
            event_type="episode.risk_assessed",
            object_type="episode",
            object_ids=[episode.pk],
            changed_fields=["risk_level"],
        )
    )
    expected.append(
        at(
            11,
            30,
            actor=world.call_handler,
            operation="disclosure",
            event_type="notification.sent",
            object_type="episode",
            object_ids=[episode.pk],
            recipient_agency_id=world.council_b.pk,
        )
    )
    # Not Ruby's: Daniel's person record and episode, and a record of another type with Ruby's id.
    at(
        12,
        0,
        actor=world.officer,
        operation="consultation",
        event_type="person.viewed",
        object_type="person",
        object_ids=[daniel.pk],
    )
    at(
        12,
        0,
        actor=world.officer,
        operation="consultation",
        event_type="episode.viewed",
        object_type="episode",
        object_ids=[daniel_episode.pk],
    )
    at(
        12,
        0,
        actor=world.officer,
        operation="consultation",
        event_type="location.viewed",
        object_type="location",
        object_ids=[ruby.pk],
    )
    # Not processing of a record: a sign-in.
    at(
        12,
        30,
        actor=world.officer,
        operation="auth",
        event_type="sign_in.succeeded",
        object_type="user",
        object_ids=[world.officer.pk],
    )
    # A real page request inside the window: the officer opens Ruby's record.
    time_machine.move_to(T0.replace(hour=13), tick=False)
    officer = Client()
    officer.force_login(world.officer)
    assert officer.get(reverse("person_detail", args=[ruby.pk])).status_code == 200
    page_events = list(
        AuditEvent.objects.filter(occurred_at=T0.replace(hour=13), actor_user_id=world.officer.pk).exclude(
            operation="auth"
        )
    )
    assert any(e.event_type == "person.viewed" and e.object_ids == [str(ruby.pk)] for e in page_events)
    expected += page_events
    at(
        14,
        0,
        actor=world.officer,
        operation="consultation",
        event_type="person.viewed",
        object_type="person",
        object_ids=[ruby.pk],
    )
    expected.append(AuditEvent.objects.latest("id"))  # 14:00 is the window's last minute: inside
    at(
        14,
        1,
        actor=world.officer,
        operation="consultation",
        event_type="person.viewed",
        object_type="person",
        object_ids=[ruby.pk],
    )

    time_machine.move_to(T0.replace(hour=15), tick=False)
    incident = _open(
        auditor,
        discovered_at=T0.replace(hour=15),
        person_ids=[ruby.pk],
        suspected_user_ids=[world.officer.pk],
        window_start=T0.replace(hour=10),
        window_end=T0.replace(hour=14),
    )
    return {"incident": incident, "ruby": ruby, "episode": episode, "daniel": daniel, "expected": expected}


def test_who_saw_what_lists_exactly_the_events_touching_the_records_in_the_window(client, auditor, planted):
    client.force_login(auditor)
    incident = planted["incident"]
    response = client.get(reverse("audit:breach_who_saw_what", args=[incident.pk]))
    assert response.status_code == 200
    shown = [row.event.pk for row in response.context["rows"]]
    expected = sorted(e.pk for e in planted["expected"])
    assert len(expected) >= 6
    assert shown == expected  # oldest first
    person_view = next(r for r in response.context["rows"] if r.event.event_type == "person.searched")
    assert person_view.records == (f"person {planted['ruby'].pk}",) and person_view.other_records == 1
    # Who, from where, in which role, and to whom.
    html = response.content.decode()
    assert (
        "pat_partner" in html
        and "Council B" in html
        and "Children&#x27;s social care missing officer" in html
    )
    assert f"episode {planted['episode'].pk} (person {planted['ruby'].pk})" in html
    # Ids only: no name of the person on the page.
    assert "Hartley" not in html and "Okafor" not in html
    # The read is logged, naming exactly the events shown.
    read = AuditEvent.objects.filter(event_type="audit_log.viewed").latest("id")
    assert read.actor_user_id == auditor.pk and read.operation == Operation.CONSULTATION
    assert read.object_ids == [str(i) for i in shown]
    assert read.reason_text == f"breach incident {incident.pk}: who saw what"


def test_an_episode_named_by_the_incident_is_followed_without_its_person(auditor, world, planted):
    incident = actions.breach_incident_update(
        actor=auditor,
        incident=planted["incident"],
        expected_version=1,
        person_ids=[],
        episode_ids=[planted["episode"].pk],
    )
    from homeward.audit.selectors import breach_events_touching

    found = {e.event_type for e in breach_events_touching(actor=auditor, incident=incident)}
    assert found == {"episode.risk_assessed", "notification.sent"}


def _stale_step_up(client: Client) -> None:
    session = client.session
    session[PASSWORD_AT] = time.time() - settings.HOMEWARD_STEP_UP_MINUTES * 60 - 60
    session.save()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_who_saw_what_downloads_need_step_up_and_are_audited_disclosures(
    client, auditor, world, planted, fmt
):
    client.force_login(auditor)
    url = reverse("audit:breach_who_saw_what", args=[planted["incident"].pk])
    _stale_step_up(client)
    refused = client.get(url, {"format": fmt})
    assert refused.status_code == 302 and refused["Location"].startswith(reverse("reauthenticate"))
    assert not AuditEvent.objects.filter(event_type="audit_log.exported").exists()
    # The page itself needs no step-up.
    assert client.get(url).status_code == 200

    client.force_login(auditor)  # password and code given again just now
    response = client.get(url, {"format": fmt})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="breach-{planted["incident"].pk}-who-saw-what-'
    )
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    else:
        rows = json.loads(response.content)
    expected = sorted(e.pk for e in planted["expected"])
    assert [int(r["id"]) for r in rows] == expected
    searched = next(r for r in rows if r["event_type"] == "person.searched")
    assert searched["actor_username"] == "pat_partner" and searched["actor_organisation"] == "Council B"
    assert searched["acting_as"] == "csc_missing_officer"
    assert searched["actor_role"] == "Children's social care missing officer"
    assert searched["incident_records"] in (f"person {planted['ruby'].pk}", [f"person {planted['ruby'].pk}"])
    sent = next(r for r in rows if r["event_type"] == "notification.sent")
    assert sent["recipient_organisation"] == "Council B"
    label = f"episode {planted['episode'].pk} (person {planted['ruby'].pk})"
    assert sent["incident_records"] == (label if fmt == "csv" else [label])
    event = AuditEvent.objects.get(event_type="audit_log.exported")
    assert event.operation == Operation.DISCLOSURE and event.recipient_agency_id == auditor.organisation_id
    assert event.object_ids == [str(i) for i in expected]
    assert event.reason_text.startswith(f"breach incident {planted['incident'].pk}: who saw what; ")


# --- What did this user see --------------------------------------------------------------------------


def test_what_did_this_user_see_lists_every_record_the_account_consulted_in_the_window(
    client, auditor, world, planted
):
    client.force_login(auditor)
    incident = planted["incident"]
    url = reverse("audit:breach_account", args=[incident.pk])
    response = client.get(url, {"user": world.officer.pk})
    assert response.status_code == 200
    records = {(r.object_type, r.object_id): r.times for r in response.context["records"]}
    ruby, daniel = str(planted["ruby"].pk), str(planted["daniel"].pk)
    # 10:00 and 14:00 by hand, 13:00 through the page; the 9:59 and 14:01 views are outside.
    assert records[("person", ruby)] == 3
    assert records[("person", daniel)] == 1 and ("location", ruby) in records
    shown = [row.event for row in response.context["rows"]]
    assert all(e.actor_user_id == world.officer.pk for e in shown)
    assert all(e.operation in ("consultation", "disclosure") for e in shown)
    assert all(T0.replace(hour=10) <= e.occurred_at <= T0.replace(hour=14) for e in shown)
    read = AuditEvent.objects.filter(event_type="audit_log.viewed").latest("id")
    assert read.object_ids == [str(e.pk) for e in shown]

    # A download needs step-up and is a disclosure.
    _stale_step_up(client)
    assert client.get(url, {"user": world.officer.pk, "format": "csv"}).status_code == 302
    client.force_login(auditor)
    download = client.get(url, {"user": world.officer.pk, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert [int(r["id"]) for r in rows] == [e.pk for e in shown]
    exported = AuditEvent.objects.get(event_type="audit_log.exported")
    assert exported.operation == Operation.DISCLOSURE and exported.object_ids == [str(e.pk) for e in shown]


def test_only_a_suspected_account_can_be_examined(auditor_client, world, planted):
    url = reverse("audit:breach_account", args=[planted["incident"].pk])
    assert auditor_client.get(url, {"user": world.partner.pk}).status_code == 404
    assert auditor_client.get(url, {"user": "x"}).status_code == 404
    assert auditor_client.get(url).status_code == 404


# --- Who may ------------------------------------------------------------------------------------------


def _all_urls(incident: BreachIncident, user_id: int) -> list[tuple[str, str]]:
    pk = incident.pk
    return [
        ("GET", LIST),
        ("GET", NEW),
        ("POST", NEW),
        ("GET", reverse("audit:breach_detail", args=[pk])),
        ("GET", reverse("audit:breach_edit", args=[pk])),
        ("POST", reverse("audit:breach_edit", args=[pk])),
        ("POST", reverse("audit:breach_report", args=[pk])),
        ("POST", reverse("audit:breach_close", args=[pk])),
        ("GET", reverse("audit:breach_who_saw_what", args=[pk])),
        ("GET", reverse("audit:breach_who_saw_what", args=[pk]) + "?format=csv"),
        ("GET", reverse("audit:breach_account", args=[pk]) + f"?user={user_id}"),
    ]


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.AUDITOR])
def test_every_other_role_is_refused(client, auditor, world, role):
    incident = _open(auditor, suspected_user_ids=[world.officer.pk])
    user = make_user(f"someone_{role}", world.force, role)
    client.force_login(user)
    before = AuditEvent.objects.count()
    for method, url in _all_urls(incident, world.officer.pk):
        response = client.get(url) if method == "GET" else client.post(url, _form(person_ids="1"))
        assert response.status_code == 403, (method, url, response.status_code)
    assert AuditEvent.objects.count() == before and BreachIncident.objects.count() == 1


def test_another_organisations_auditor_gets_404_and_does_not_see_it_listed(client, auditor, world):
    incident = _open(auditor, suspected_user_ids=[world.officer.pk])
    force_z = Organisation.objects.create(name="Force Z Police", kind=OrganisationKind.POLICE_FORCE)
    outsider = make_user("zoe_auditor", force_z, Role.AUDITOR)
    client.force_login(outsider)
    for method, url in _all_urls(incident, world.officer.pk)[3:]:
        response = client.get(url) if method == "GET" else client.post(url, {"version": "1"})
        assert response.status_code == 404, (method, url, response.status_code)
    missing = reverse("audit:breach_detail", args=[987654321])
    assert client.get(missing).status_code == 404
    assert f"Incident {incident.pk}" not in client.get(LIST).content.decode()
    incident.refresh_from_db()
    assert incident.version == 1


def test_the_auditor_finds_breaches_in_the_menu(auditor_client):
    page = auditor_client.get(reverse("audit:search")).content.decode()
    assert f'href="{LIST}"' in page and ">Breaches<" in page


def test_the_list_and_incident_page_are_logged_reads(auditor_client, auditor, world):
    incident = _open(auditor, suspected_user_ids=[world.officer.pk])
    auditor_client.get(LIST)
    listed = AuditEvent.objects.get(event_type="breach_incident.listed")
    assert listed.operation == Operation.CONSULTATION and listed.object_ids == [str(incident.pk)]
    page = auditor_client.get(reverse("audit:breach_detail", args=[incident.pk]))
    assert page.status_code == 200 and f"?user={world.officer.pk}" in page.content.decode()
    viewed = AuditEvent.objects.get(event_type="breach_incident.viewed")
    assert viewed.object_ids == [str(incident.pk)]
    assert BreachIncidentChange.objects.filter(incident=incident).count() == 1


# --- Two responders at the same moment ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_one_wins_one_conflicts(world):
    """Real connections in two threads: the database's own locking, not only the version check."""
    first = make_user("audrey_auditor", world.force, Role.AUDITOR)
    second = make_user("aled_auditor", world.force, Role.AUDITOR)
    incident = _open(first, suspected_user_ids=[world.officer.pk])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(actor, containment):
        try:
            barrier.wait(timeout=10)
            actions.breach_incident_update(
                actor=actor, incident=incident, expected_version=1, containment=containment
            )
            outcomes.append("saved")
        except EditConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(first, "Laptop wiped")),
        threading.Thread(target=save, args=(second, "Password reset")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "saved"]
    incident.refresh_from_db()
    assert incident.version == 2 and incident.containment in ("Laptop wiped", "Password reset")
    assert AuditEvent.objects.filter(event_type="breach_incident.updated").count() == 1
    assert incident.changes.count() == 2


def test_several_missing_ids_are_listed_in_one_message(auditor):
    from homeward.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        _open(auditor, person_ids=[987654, 987655])
    assert caught.value.errors["person_ids"] == "There are no people with IDs 987654, 987655"
