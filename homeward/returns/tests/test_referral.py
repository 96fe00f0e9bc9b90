"""The referral on return: who gets one, where it goes, and its 72-hour offer clock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from homeward.audit.models import AuditEvent
from homeward.episodes import actions as episode_actions
from homeward.episodes.tests.factories import assess, find, make_adult, make_ruby, report
from homeward.errors import InvalidInput
from homeward.people.actions import person_marker_add
from homeward.returns.models import ReturnInterview, RhiStatus
from homeward.returns.tests.helpers import found_ruby

pytestmark = pytest.mark.django_db


def test_a_returned_child_is_referred_to_the_forces_rhi_service(rw):
    episode, rhi = found_ruby(rw.world)
    assert rhi.person_id == episode.person_id
    assert rhi.referred_to == rw.service
    assert rhi.status == RhiStatus.REFERRED and rhi.assigned_to is None
    event = AuditEvent.objects.get(event_type="rhi.referred")
    assert event.operation == "disclosure"
    assert event.recipient_agency_id == rw.service.pk
    assert event.object_ids == [str(rhi.pk)]
    assert event.actor_user_id == rw.world.officer.pk


def test_the_offer_is_due_72_hours_after_they_were_found(rw):
    episode, rhi = found_ruby(rw.world)
    assert rhi.offer_due_at == episode.found_at + dt.timedelta(hours=72)


def test_the_offer_window_is_a_setting(rw, settings):
    settings.HOMEWARD_RHI_OFFER_HOURS = 48
    episode, rhi = found_ruby(rw.world)
    assert rhi.offer_due_at == episode.found_at + dt.timedelta(hours=48)


def test_no_referral_for_an_adult(rw):
    episode = find(
        rw.world, assess(rw.world, report(rw.world, make_adult(rw.world), from_home=False), "medium")
    )
    assert not ReturnInterview.objects.filter(episode=episode).exists()
    assert not AuditEvent.objects.filter(event_type="rhi.referred").exists()


def test_vulnerable_adults_are_referred_only_where_the_force_chooses(rw, settings):
    settings.HOMEWARD_RHI_FOR_VULNERABLE_ADULTS = True
    plain = make_adult(rw.world)
    vulnerable = make_adult(rw.world, "Maud", "Ellis")
    person_marker_add(
        actor=rw.world.officer, person=vulnerable, marker="dementia", detail="", supplied_by="Her son"
    )
    plain_episode = find(rw.world, assess(rw.world, report(rw.world, plain, from_home=False), "medium"))
    vulnerable_episode = find(
        rw.world, assess(rw.world, report(rw.world, vulnerable, from_home=False), "high")
    )
    assert not ReturnInterview.objects.filter(episode=plain_episode).exists()
    assert ReturnInterview.objects.get(episode=vulnerable_episode).referred_to == rw.service


def test_no_referral_when_found_deceased(rw):
    episode = assess(rw.world, report(rw.world, make_ruby(rw.world)))
    episode_actions.episode_mark_found(
        actor=rw.world.officer,
        episode=episode,
        expected_version=episode.version,
        data=episode_actions.FoundData(
            found_at=timezone.now(), found_place="River bank", how_found="police", condition="deceased"
        ),
    )
    assert not ReturnInterview.objects.filter(episode=episode).exists()


def test_without_an_rhi_service_the_placing_authority_takes_the_referral(world):
    _, rhi = found_ruby(world)
    assert rhi.referred_to == world.council_b
    assert AuditEvent.objects.get(event_type="rhi.referred").recipient_agency_id == world.council_b.pk


def test_with_no_service_and_no_council_the_referral_is_kept_unrouted(world):
    # South district has no council and this child is not looked after: nobody to refer to, but the
    # gap must show rather than the referral vanish.
    child = make_ruby(world)
    child.looked_after = False
    child.placing_authority = None
    child.save()
    episode = find(world, assess(world, report(world, child, from_home=False)))
    rhi = ReturnInterview.objects.get(episode=episode)
    assert rhi.referred_to is None
    assert AuditEvent.objects.filter(event_type="rhi.unrouted", operation="collection").exists()
    assert not AuditEvent.objects.filter(event_type="rhi.referred").exists()


def test_a_failed_found_record_leaves_no_referral(rw):
    """The referral is written inside the found transaction: no found record, no referral."""
    episode = assess(rw.world, report(rw.world, make_ruby(rw.world)))
    with pytest.raises(InvalidInput):
        episode_actions.episode_mark_found(
            actor=rw.world.officer,
            episode=episode,
            expected_version=episode.version,
            data=episode_actions.FoundData(
                found_at=timezone.now(), found_place="", how_found="police", condition="safe_well"
            ),
        )
    assert not ReturnInterview.objects.exists()
