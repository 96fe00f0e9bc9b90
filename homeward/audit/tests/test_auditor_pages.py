"""AUD-8: the auditor searches and exports the log; reading it is logged; nobody else may (403)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import AuditEvent, Operation
from homeward.conftest import make_user
from homeward.episodes.tests.factories import make_adult, make_ruby, report
from homeward.identity.roles import Role
from homeward.identity.signin import PASSWORD_AT

pytestmark = pytest.mark.django_db

SEARCH = reverse("audit:search")
EXPORT = reverse("audit:export")


@pytest.fixture
def auditor(world):
    return make_user("audrey_auditor", world.force, Role.AUDITOR)


@pytest.fixture
def auditor_client(client, auditor):
    client.force_login(auditor)
    return client


def _shown_ids(response) -> list[int]:
    return [event.pk for event, _ in response.context["rows"]]


def _last_read() -> AuditEvent:
    return AuditEvent.objects.filter(event_type="audit_log.viewed").latest("id")


def test_search_by_person_finds_events_about_the_person_and_their_episodes(auditor_client, auditor, world):
    ruby = make_ruby(world)
    episode = report(world, ruby)
    daniel = make_adult(world)
    response = auditor_client.get(SEARCH, {"person": ruby.pk})
    assert response.status_code == 200
    shown = AuditEvent.objects.filter(pk__in=_shown_ids(response))
    assert {(e.object_type, tuple(e.object_ids)) for e in shown} >= {("person", (str(ruby.pk),))}
    assert any(e.object_type == "episode" and str(episode.pk) in e.object_ids for e in shown)
    assert not any(e.object_type == "person" and str(daniel.pk) in e.object_ids for e in shown)
    # Ids only: no name of the person on the auditor's page.
    assert b"Hartley" not in response.content and b"Ruby" not in response.content


def test_reading_the_log_is_itself_logged_with_the_ids_shown(auditor_client, auditor, world):
    make_ruby(world)
    before = AuditEvent.objects.count()
    response = auditor_client.get(SEARCH, {"user": world.call_handler.pk})
    shown = _shown_ids(response)
    assert shown and AuditEvent.objects.count() == before + 1
    read = _last_read()
    assert read.operation == Operation.CONSULTATION
    assert read.actor_user_id == auditor.pk and read.object_type == "audit_event"
    assert read.object_ids == [str(i) for i in shown]
    assert read.reason_text == f"search: user={world.call_handler.pk}"


def test_opening_the_empty_form_logs_nothing(auditor_client):
    before = AuditEvent.objects.count()
    response = auditor_client.get(SEARCH)
    assert response.status_code == 200 and not response.context["searched"]
    assert AuditEvent.objects.count() == before


def test_search_by_record_type_and_id(auditor_client, world):
    for i in (7, 8, 77):
        audit_record(
            actor=world.officer,
            operation="consultation",
            event_type="test.viewed",
            object_type="location",
            object_ids=[i],
        )
    audit_record(
        actor=world.officer,
        operation="consultation",
        event_type="test.viewed",
        object_type="person",
        object_ids=[7],
    )
    response = auditor_client.get(SEARCH, {"object_type": "location", "object_id": "7"})
    shown = AuditEvent.objects.filter(pk__in=_shown_ids(response))
    assert [(e.object_type, e.object_ids) for e in shown] == [("location", ["7"])]


def test_search_by_user_and_operation(auditor_client, world):
    audit_record(actor=world.officer, operation="alteration", event_type="test.changed")
    audit_record(actor=world.officer, operation="consultation", event_type="test.viewed")
    audit_record(actor=world.supervisor, operation="alteration", event_type="test.changed")
    response = auditor_client.get(SEARCH, {"user": world.officer.pk, "operation": "alteration"})
    shown = AuditEvent.objects.filter(pk__in=_shown_ids(response))
    assert [(e.actor_user_id, e.operation) for e in shown] == [(world.officer.pk, "alteration")]
    assert b"oscar_officer" in response.content


def test_search_by_date_range_includes_both_end_days(auditor_client, world, time_machine):
    days = [dt.datetime(2026, 3, d, 12, tzinfo=dt.UTC) for d in (1, 2, 3, 4)]
    for day in days:
        time_machine.move_to(day, tick=False)
        audit_record(
            actor=world.officer, operation="consultation", event_type="test.viewed", object_ids=[day.day]
        )
    time_machine.move_to(dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC), tick=False)
    response = auditor_client.get(SEARCH, {"date_from": "2026-03-02", "date_to": "2026-03-03"})
    shown = AuditEvent.objects.filter(pk__in=_shown_ids(response))
    assert sorted(e.object_ids[0] for e in shown) == ["2", "3"]


def test_results_are_paginated_newest_first_keeping_the_search(auditor_client, world):
    for i in range(60):
        audit_record(actor=world.officer, operation="consultation", event_type="test.viewed", object_ids=[i])
    first = auditor_client.get(SEARCH, {"user": world.officer.pk})
    ids = _shown_ids(first)
    assert len(ids) == 50 and ids == sorted(ids, reverse=True)
    assert f"?user={world.officer.pk}&amp;page=2".encode() in first.content
    second = auditor_client.get(SEARCH, {"user": world.officer.pk, "page": 2})
    assert len(_shown_ids(second)) == 10 and max(_shown_ids(second)) < min(ids)
    # Each page's read lists exactly that page's events.
    assert _last_read().object_ids == [str(i) for i in _shown_ids(second)]


def test_errors_are_shown_beside_the_fields_and_the_input_is_kept(auditor_client):
    before = AuditEvent.objects.count()
    response = auditor_client.get(
        SEARCH, {"object_id": "42", "date_from": "2026-03-05", "date_to": "2026-03-01", "person": "abc"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"object_type", "date_to", "person"}
    html = response.content.decode()
    assert 'id="id_object_type-error"' in html and 'id="id_date_to-error"' in html
    assert 'value="42"' in html and 'value="2026-03-05"' in html
    assert AuditEvent.objects.count() == before  # nothing was shown, so nothing to log


def test_export_is_a_csv_attachment_and_a_disclosure(auditor_client, auditor, world):
    make_ruby(world)
    audit_record(
        actor=world.officer, operation="alteration", event_type="test.changed", reason="=HYPERLINK(1)"
    )
    wanted = list(AuditEvent.objects.order_by("-id").values_list("pk", flat=True))
    response = auditor_client.get(EXPORT, {"date_from": timezone.localdate().isoformat()})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [int(r["id"]) for r in rows] == wanted
    assert "'=HYPERLINK(1)" in [r["reason_text"] for r in rows]
    event = AuditEvent.objects.get(event_type="audit_log.exported")
    assert event.operation == Operation.DISCLOSURE
    assert event.recipient_agency_id == auditor.organisation_id
    assert event.object_ids == [str(i) for i in wanted]


def test_export_needs_a_recent_password_and_code(auditor_client):
    session = auditor_client.session
    session[PASSWORD_AT] = time.time() - settings.HOMEWARD_STEP_UP_MINUTES * 60 - 60
    session.save()
    response = auditor_client.get(EXPORT, {"user": "1"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("reauthenticate"))
    assert not AuditEvent.objects.filter(event_type="audit_log.exported").exists()


def test_an_invalid_export_request_shows_the_errors(auditor_client):
    response = auditor_client.get(EXPORT, {"date_from": "2026-03-05", "date_to": "2026-03-01"})
    assert response.status_code == 400 and "date_to" in response.context["form"].errors
    assert not AuditEvent.objects.filter(event_type="audit_log.exported").exists()


@pytest.mark.parametrize(
    "role",
    [r for r in Role.values if r != Role.AUDITOR],
)
def test_every_other_role_is_refused(client, world, role):
    user = make_user(f"someone_{role}", world.force, role)
    client.force_login(user)
    before = AuditEvent.objects.count()
    assert client.get(SEARCH, {"user": user.pk}).status_code == 403
    assert client.get(EXPORT, {"user": user.pk}).status_code == 403
    assert AuditEvent.objects.count() == before


def test_signed_out_people_are_sent_to_sign_in(client):
    for url in (SEARCH, EXPORT):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_auditor_has_no_casework_pages(auditor_client, world):
    ruby = make_ruby(world)
    episode = report(world, ruby)
    for url in (
        reverse("person_detail", args=[ruby.pk]),
        reverse("episode_detail", args=[episode.pk]),
        reverse("person_search"),
    ):
        assert auditor_client.get(url).status_code in (403, 404), url


def test_the_menu_entry_is_for_auditors_only(auditor, world):
    from homeward.audit.navigation import nav_items

    # The log and breach response (P14) for auditors; the weekly review (P13) for auditors and
    # supervisors; nothing for others.
    assert nav_items(auditor) == [
        ("Audit log", "audit:search"),
        ("Audit review", "audit:anomalies"),
        ("Breaches", "audit:breach_list"),
    ]
    assert nav_items(world.supervisor) == [("Audit review", "audit:anomalies")]
    assert nav_items(world.officer) == []


def test_the_auditor_finds_the_log_in_the_menu(auditor_client):
    page = auditor_client.get(reverse("audit:search")).content.decode()
    assert f'href="{reverse("audit:search")}"' in page and ">Audit log<" in page


def test_export_as_json_for_the_commissioner(auditor_client, world):
    ruby = make_ruby(world)
    response = auditor_client.get(EXPORT, {"person": ruby.pk, "format": "json"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].endswith('.json"')
    rows = response.json()
    assert rows and all(r["object_type"] == "person" and r["object_ids"] == [str(ruby.pk)] for r in rows)
    event = AuditEvent.objects.get(event_type="audit_log.exported")
    assert event.object_ids == [str(r["id"]) for r in rows] and event.reason_text.endswith("as JSON")


def test_each_record_type_is_offered_once(auditor_client, world):
    report(world, make_ruby(world))
    choices = [value for value, _ in auditor_client.get(SEARCH).context["form"].fields["object_type"].choices]
    assert choices[0] == "" and len(choices) == len(set(choices)) and {"episode", "person"} <= set(choices)


def test_search_by_person_also_finds_events_about_their_other_records(auditor_client, world):
    from homeward.protocols.models import ProtocolProfile

    ruby = make_ruby(world)
    now = timezone.now()
    profile = ProtocolProfile.objects.create(person=ruby, scheme="philomena", created_at=now, updated_at=now)
    audit_record(
        actor=world.care_staff,
        operation="alteration",
        event_type="profile.updated",
        object_type="protocol_profile",
        object_ids=[profile.pk],
    )
    response = auditor_client.get(SEARCH, {"person": ruby.pk})
    shown = AuditEvent.objects.filter(pk__in=_shown_ids(response))
    assert shown.filter(object_type="protocol_profile", event_type="profile.updated").exists()


def test_every_person_linked_record_type_reaches_the_person():
    from django.apps import apps

    from homeward.audit.selectors import PERSON_LINKED

    for label, path in PERSON_LINKED.values():
        apps.get_model(label).objects.filter(**{path: 0}).exists()  # a wrong path raises FieldError
