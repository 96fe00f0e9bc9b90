"""The retention schedule, the review queue and retain decisions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone

from homeward.audit.models import AuditEvent
from homeward.conftest import TEST_PASSWORD
from homeward.dataprotection import retention
from homeward.dataprotection.actions import retention_retain
from homeward.dataprotection.models import RetentionReview
from homeward.dataprotection.selectors import review_queue_for
from homeward.dataprotection.tests.helpers import coordinator_of, other_force_user
from homeward.episodes.models import Episode
from homeward.episodes.tests.factories import assess, find, make_adult, make_ruby, report
from homeward.errors import InvalidInput, NotAllowed
from homeward.identity.roles import Role
from homeward.people.models import Person

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.login(username=user.username, password=TEST_PASSWORD)
    return client


def ended_years_ago(world, person: Person, years: float) -> Episode:
    """A found episode of `person` that ended `years` ago."""
    episode = find(world, assess(world, report(world, person, from_home=False), level="medium"))
    shift(person, years)
    return episode


def shift(person: Person, years: float) -> None:
    """Move the person's episodes and record so that they ended `years` ago."""
    then = timezone.now() - dt.timedelta(days=round(365.25 * years))
    Episode.objects.filter(person=person).update(reported_at=then, found_at=then, last_seen_at=then)
    Person.objects.filter(pk=person.pk).update(created_at=then)


def queue_ids(user) -> list[int]:
    return [row.person_id for row in review_queue_for(actor=user)]


def test_the_schedule_has_documented_defaults_and_can_be_configured(settings, monkeypatch):
    assert retention.schedule() == {"child": 6, "adult": 6, "high_risk": 10, "markers": 10}
    settings.HOMEWARD_RETENTION = {"adult": 3}
    monkeypatch.setenv("HOMEWARD_RETENTION_CHILD_YEARS", "25")
    assert retention.schedule() == {"child": 25, "adult": 3, "high_risk": 10, "markers": 10}
    monkeypatch.setenv("HOMEWARD_RETENTION_CHILD_YEARS", "lots")
    with pytest.raises(ImproperlyConfigured):
        retention.schedule()
    monkeypatch.delenv("HOMEWARD_RETENTION_CHILD_YEARS")
    settings.HOMEWARD_RETENTION = {"pets": 1}
    with pytest.raises(ImproperlyConfigured):
        retention.schedule()


def test_the_queue_lists_records_past_their_period_by_category(world):
    coordinator = coordinator_of(world)
    adult_old = make_adult(world, "Adam", "Old")
    ended_years_ago(world, adult_old, 7)
    adult_recent = make_adult(world, "Rita", "Recent")
    ended_years_ago(world, adult_recent, 5)
    child_marked = make_ruby(world)  # a child with a CSE marker: 10 years
    ended_years_ago(world, child_marked, 7)
    still_missing = make_adult(world, "Owen", "Open")
    report(world, still_missing, from_home=False)
    Person.objects.filter(pk=still_missing.pk).update(created_at=timezone.now() - dt.timedelta(days=365 * 20))
    assert queue_ids(coordinator) == [adult_old.pk]
    row = review_queue_for(actor=coordinator)[0]
    assert row.categories == ("adult",)
    assert row.due_on == retention.add_years(row.last_episode_ended, 6)
    # Past ten years, the child with markers is due too.
    shift(child_marked, 11)
    assert set(queue_ids(coordinator)) == {adult_old.pk, child_marked.pk}
    categories = {r.person_id: r.categories for r in review_queue_for(actor=coordinator)}
    assert set(categories[child_marked.pk]) == {"child", "markers"}
    event = AuditEvent.objects.filter(event_type="dataprotection.review_queue_viewed").last()
    assert set(event.object_ids) == {str(adult_old.pk), str(child_marked.pk)}


def test_the_queue_is_the_forces_own(world):
    adult_old = make_adult(world, "Adam", "Old")
    ended_years_ago(world, adult_old, 7)
    stranger = other_force_user(Role.MFH_COORDINATOR, "cato_coordinator")
    assert queue_ids(stranger) == []
    page = signed_in(stranger).get("/data-protection/")
    assert page.status_code == 200 and b"Adam" not in page.content
    assert signed_in(world.outsider).get("/data-protection/").status_code == 403
    assert signed_in(world.supervisor).get("/data-protection/").status_code == 403
    anonymous = Client().get("/data-protection/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    page = signed_in(coordinator_of(world)).get("/data-protection/")
    assert f'data-person="{adult_old.pk}"'.encode() in page.content


def test_retaining_sets_the_next_review_and_takes_the_record_off_the_queue(world):
    coordinator = coordinator_of(world)
    adult_old = make_adult(world, "Adam", "Old")
    ended_years_ago(world, adult_old, 7)
    next_review = timezone.localdate() + dt.timedelta(days=400)
    client = signed_in(coordinator)
    response = client.post(
        f"/data-protection/people/{adult_old.pk}/retain/",
        {
            "reason": "Linked to an open exploitation investigation.",
            "next_review_on": next_review.isoformat(),
        },
    )
    assert response.status_code == 302
    review = RetentionReview.objects.get(person=adult_old)
    assert (
        review.decision == "retain"
        and review.next_review_on == next_review
        and review.decided_by == coordinator
    )
    assert queue_ids(coordinator) == []
    assert AuditEvent.objects.filter(
        event_type="person.retention_retained", object_ids=[str(adult_old.pk)]
    ).exists()
    bad = client.post(
        f"/data-protection/people/{adult_old.pk}/retain/",
        {"reason": "short", "next_review_on": timezone.localdate().isoformat()},
    )
    assert bad.status_code == 400
    assert RetentionReview.objects.count() == 1
    with pytest.raises(InvalidInput):
        retention_retain(
            actor=coordinator, person=adult_old, reason="x" * 20, next_review_on=timezone.localdate()
        )
    with pytest.raises(NotAllowed):
        retention_retain(
            actor=world.supervisor, person=adult_old, reason="x" * 20, next_review_on=next_review
        )
    stranger = other_force_user(Role.MFH_COORDINATOR, "cato_coordinator")
    assert (
        signed_in(stranger)
        .post(
            f"/data-protection/people/{adult_old.pk}/retain/",
            {"reason": "x" * 20, "next_review_on": next_review},
        )
        .status_code
        == 404
    )
