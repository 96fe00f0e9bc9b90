"""Correction of a record reported in error: kept for the audit trail, counted by no report or measure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from homeward.audit.models import AuditEvent, Operation
from homeward.conftest import TEST_PASSWORD
from homeward.dataprotection.actions import episode_mark_reported_in_error
from homeward.dataprotection.tests.helpers import other_force_user
from homeward.episodes.models import Episode, EpisodeEvent, Status
from homeward.episodes.tests.factories import make_adult, make_ruby, report
from homeward.errors import EditConflict, InvalidInput, NotAllowed
from homeward.identity.roles import Role
from homeward.insights import measures
from homeward.insights.base import recorded_episodes
from homeward.insights.periods import between

pytestmark = pytest.mark.django_db

REASON = "Recorded against the wrong Daniel Okafor: the caller meant his cousin."


def signed_in(user) -> Client:
    client = Client()
    client.login(username=user.username, password=TEST_PASSWORD)
    return client


def url(episode: Episode) -> str:
    return f"/data-protection/episodes/{episode.pk}/reported-in-error/"


def test_an_episode_reported_in_error_leaves_reports_and_measures_but_stays_on_record(world):
    wrong = report(world, make_adult(world), from_home=False)
    right = report(world, make_ruby(world))
    today = timezone.localdate()
    period = between(today - dt.timedelta(days=1), today)
    assert measures.episodes(period) == 2
    response = signed_in(world.supervisor).post(url(wrong), {"reason": REASON, "version": wrong.version})
    assert response.status_code == 302
    wrong.refresh_from_db()
    assert wrong.reported_in_error_at is not None
    assert wrong.reported_in_error_by == world.supervisor
    assert wrong.reported_in_error_reason == REASON
    # Open when marked: closed, so a real report of the person can be made.
    assert wrong.status == Status.CLOSED and wrong.version == 2
    assert EpisodeEvent.objects.filter(episode=wrong, kind="reported_in_error").exists()
    assert list(recorded_episodes()) == [right]
    assert measures.episodes(period) == 1
    assert measures.individuals(period) == 1
    event = AuditEvent.objects.get(event_type="episode.reported_in_error")
    assert event.operation == Operation.ALTERATION and event.object_ids == [str(wrong.pk)]
    assert "reported_in_error_at" in event.changed_fields and "status" in event.changed_fields
    assert Episode.objects.filter(pk=wrong.pk).exists()


def test_a_stale_version_is_a_conflict_and_writes_nothing(world):
    episode = report(world, make_adult(world), from_home=False)
    Episode.objects.filter(pk=episode.pk).update(version=5)
    with pytest.raises(EditConflict):
        episode_mark_reported_in_error(
            actor=world.supervisor, episode=episode, expected_version=1, reason=REASON
        )
    episode.refresh_from_db()
    assert episode.reported_in_error_at is None
    assert not AuditEvent.objects.filter(event_type="episode.reported_in_error").exists()
    page = signed_in(world.supervisor).post(url(episode), {"reason": REASON, "version": 1})
    assert page.status_code == 400 and b"Changed by someone else" in page.content


def test_a_reason_is_required_and_only_force_supervisors_may_mark(world):
    episode = report(world, make_adult(world), from_home=False)
    with pytest.raises(InvalidInput):
        episode_mark_reported_in_error(
            actor=world.supervisor, episode=episode, expected_version=1, reason="oops"
        )
    with pytest.raises(NotAllowed):
        episode_mark_reported_in_error(
            actor=world.officer, episode=episode, expected_version=1, reason=REASON
        )
    assert signed_in(world.officer).post(url(episode), {"reason": REASON, "version": 1}).status_code == 403
    assert signed_in(world.outsider).get(url(episode)).status_code == 403
    anonymous = Client().get(url(episode))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert signed_in(world.supervisor).get(url(episode)).status_code == 200
    assert (
        signed_in(world.supervisor).get("/data-protection/episodes/999999/reported-in-error/").status_code
        == 404
    )
    stranger = other_force_user(Role.SUPERVISOR, "stan_supervisor")
    assert signed_in(stranger).get(url(episode)).status_code == 404
    assert signed_in(stranger).post(url(episode), {"reason": REASON, "version": 1}).status_code == 404
    with pytest.raises(NotAllowed):
        episode_mark_reported_in_error(actor=stranger, episode=episode, expected_version=1, reason=REASON)


def test_forbidden_fields_posted_change_nothing(world):
    episode = report(world, make_adult(world), from_home=False)
    signed_in(world.supervisor).post(
        url(episode), {"reason": REASON, "version": 1, "status": "found", "person": 999, "force": 999}
    )
    episode.refresh_from_db()
    assert episode.status == Status.CLOSED and episode.force == world.force
