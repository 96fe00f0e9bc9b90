"""Erasure: a tombstone stays, every erased value is gone from every table, the event holds none of it."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models
from django.test import Client
from django.utils import timezone

from homeward.audit.models import AuditEvent, Operation
from homeward.conftest import TEST_PASSWORD
from homeward.dataprotection.actions import person_erase
from homeward.dataprotection.models import RetentionReview
from homeward.dataprotection.tests.helpers import SECRETS, other_force_user, rich_subject
from homeward.dataprotection.tests.test_subject_access import make_step_up_stale
from homeward.episodes.models import Episode
from homeward.episodes.tests.factories import make_adult, report
from homeward.errors import IllegalTransition, NotAllowed
from homeward.identity.roles import Role
from homeward.insights.base import recorded_episodes
from homeward.people.models import Person, PersonAlias, PersonContact, PersonMarker, PersonPhoto

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.login(username=user.username, password=TEST_PASSWORD)
    return client


def erase_url(person_id: int) -> str:
    return f"/data-protection/people/{person_id}/erase/"


def where_found(values: tuple[str, ...], *, audit_after: int | None = None) -> list[str]:
    """Every (table, column) in the whole database holding any of `values` (case-insensitive). Audit rows
    are searched only after `audit_after` when given: earlier ones were written before the erasure."""
    hits = []
    lowered = [v.lower() for v in values]
    for model in apps.get_models():
        columns = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField | models.FileField)
        ]
        if not columns:
            continue
        rows = model._base_manager.all()
        if model is AuditEvent and audit_after is not None:
            rows = rows.filter(pk__gt=audit_after)
        for row in rows.values_list("pk", *columns):
            for column, value in zip(columns, row[1:], strict=True):
                text = json.dumps(value, default=str).lower() if not isinstance(value, str) else value.lower()
                for secret in lowered:
                    if secret in text:
                        hits.append(f"{model._meta.label}.{column} (row {row[0]}): {secret}")
    return hits


def test_erasure_leaves_a_tombstone_and_no_erased_value_anywhere(world):
    subject = rich_subject(world)
    person = subject.person
    photo = PersonPhoto.objects.create(
        person=person,
        image=ContentFile(b"\x89PNG fake", name="zephyrine.png"),
        content_type="image/png",
        taken_on=timezone.localdate(),
        caption="Zephyrine at school",
        recorded_at=timezone.now(),
    )
    storage, photo_path = photo.image.storage, photo.image.name
    assert storage.exists(photo_path)
    assert where_found(SECRETS)  # the test data really holds them
    last_audit_before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    episode_before = Episode.objects.get(pk=subject.episode.pk)

    response = signed_in(subject.coordinator).post(
        erase_url(person.pk), {"erase_reason": "schedule", "confirm": "on"}
    )
    assert response.status_code == 302

    person.refresh_from_db()
    assert person.is_erased and person.given_name == "[erased]" and person.family_name == ""
    assert person.date_of_birth is None and person.marks == "" and person.fact_sources == {}
    assert person.sex == "female" and person.looked_after and person.placing_authority == world.council_b
    assert not PersonAlias.objects.filter(person=person).exists()
    assert not PersonContact.objects.filter(person=person).exists()
    assert not PersonPhoto.objects.filter(person=person).exists()
    assert not storage.exists(photo_path)
    assert PersonMarker.objects.get(person=person).marker == "cse"
    # The episode keeps what statistics count and loses every free text.
    episode = Episode.objects.get(pk=subject.episode.pk)
    for kept in (
        "reference",
        "reported_at",
        "found_at",
        "status",
        "district_id",
        "age_at_report",
        "is_child",
        "risk_level_highest",
        "missing_from_category",
    ):
        assert getattr(episode, kept) == getattr(episode_before, kept), kept
    assert (
        episode.circumstances == ""
        and episode.reporting_person_name == ""
        and episode.call_handler_answers == {}
    )
    assert episode in recorded_episodes()

    # Nothing erased remains in any table, and the erasure's own audit rows hold none of it either.
    leftovers = where_found(SECRETS, audit_after=last_audit_before)
    assert leftovers == []
    event = AuditEvent.objects.get(event_type="person.erased")
    assert event.operation == Operation.ERASURE and event.object_ids == [str(person.pk)]
    assert "person.given_name" in event.changed_fields and "episode.circumstances" in event.changed_fields
    blob = json.dumps(
        {f.attname: getattr(event, f.attname) for f in AuditEvent._meta.concrete_fields}, default=str
    ).lower()
    for secret in SECRETS:
        assert secret.lower() not in blob
    assert RetentionReview.objects.get(person=person, decision="erase").erase_reason == "schedule"
    # The tombstone's page still resolves.
    page = signed_in(subject.coordinator).get(f"/data-protection/people/{person.pk}/")
    assert page.status_code == 200 and b"tombstone" in page.content


def test_erasure_needs_a_recent_password_and_code(world):
    subject = rich_subject(world)
    client = signed_in(subject.coordinator)
    make_step_up_stale(client)
    response = client.post(erase_url(subject.person.pk), {"erase_reason": "schedule", "confirm": "on"})
    assert response.status_code == 302 and "/login/confirm/" in response["Location"]
    subject.person.refresh_from_db()
    assert not subject.person.is_erased
    assert not AuditEvent.objects.filter(operation=Operation.ERASURE).exists()


def test_erasure_is_refused_while_an_episode_is_open_and_to_others(world):
    person = make_adult(world)
    report(world, person, from_home=False)
    subject = rich_subject(world)
    with pytest.raises(IllegalTransition):
        person_erase(actor=subject.coordinator, person=person, erase_reason="schedule")
    with pytest.raises(NotAllowed):
        person_erase(actor=world.supervisor, person=subject.person, erase_reason="schedule")
    stranger = other_force_user(Role.MFH_COORDINATOR, "cato_coordinator")
    with pytest.raises(NotAllowed):
        person_erase(actor=stranger, person=subject.person, erase_reason="schedule")
    assert (
        signed_in(stranger)
        .post(erase_url(subject.person.pk), {"erase_reason": "schedule", "confirm": "on"})
        .status_code
        == 404
    )
    assert signed_in(world.outsider).post(erase_url(subject.person.pk), {}).status_code == 403
    unconfirmed = signed_in(subject.coordinator).post(
        erase_url(subject.person.pk), {"erase_reason": "schedule"}
    )
    assert unconfirmed.status_code == 400
    assert not Person.objects.filter(erased_at__isnull=False).exists()
    person_erase(actor=subject.coordinator, person=subject.person, erase_reason="request")
    with pytest.raises(IllegalTransition):
        person_erase(actor=subject.coordinator, person=subject.person, erase_reason="request")


def test_a_tombstones_episodes_no_longer_point_at_a_private_home(world):
    from homeward.dataprotection.tests.helpers import coordinator_of
    from homeward.episodes.tests.factories import assess, find

    person = make_adult(world)
    episode = find(world, assess(world, report(world, person, from_home=False), level="medium"))
    assert episode.missing_from == world.family_home  # a private home
    person_erase(actor=coordinator_of(world), person=person, erase_reason="schedule")
    episode.refresh_from_db()
    assert episode.missing_from is None
    assert episode.missing_from_category == "private_home"  # the category is a statistic
    world.family_home.refresh_from_db()  # the place itself is not the person's record
