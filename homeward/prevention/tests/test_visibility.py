"""The visibility rule (homeward.prevention.visibility), one test per clause, in the three-organisation world:
each partner sees exactly what the rule gives it, the outsider nothing, and roles without casework nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from homeward.places.models import Location, LocationCategory
from homeward.prevention import actions, selectors
from homeward.prevention.models import Action
from homeward.prevention.tests.helpers import (
    action_on,
    daniel_missing_once,
    meeting_for,
    plan_for,
    ruby_missing_once,
)

pytestmark = pytest.mark.django_db


def sees(client, user, url: str) -> bool:
    client.force_login(user)
    status = client.get(url).status_code
    assert status in (200, 404), (user, url, status)
    return status == 200


def test_a_persons_plan_is_seen_by_every_agency_that_sees_the_person(client, pw):
    w = pw.world
    ruby, _ = ruby_missing_once(w)
    plan = plan_for(w.supervisor, person=ruby)
    meeting = meeting_for(w.supervisor, plan, [w.force])
    action = action_on(w.supervisor, plan, w.supervisor)
    urls = [
        reverse("prevention:plan_detail", args=[plan.pk]),
        reverse("prevention:meeting_detail", args=[meeting.pk]),
    ]
    # The force; Council B (placing authority); Care Provider B (she went missing from its home).
    for user in (w.officer, w.partner, w.care_staff, pw.coordinator):
        assert all(sees(client, user, url) for url in urls), user
        assert selectors.actions_visible_to(user).filter(pk=action.pk).exists()
    # The outsider, and roles without casework even inside the force.
    for user in (w.outsider, pw.analyst, pw.auditor, w.commissioner):
        assert not any(sees(client, user, url) for url in urls), user
        assert not selectors.plans_visible_to(user).exists()
        assert not selectors.actions_visible_to(user).exists()


def test_partners_who_cannot_see_the_person_see_only_what_they_take_part_in(client, pw):
    w = pw.world
    daniel, _ = daniel_missing_once(w)  # an adult, from a home in South: the force's alone
    trigger = plan_for(w.supervisor, person=daniel)
    prevention = plan_for(w.supervisor, person=daniel, kind="prevention_plan")
    trigger_url = reverse("prevention:plan_detail", args=[trigger.pk])
    prevention_url = reverse("prevention:plan_detail", args=[prevention.pk])
    for user in (w.partner, w.care_staff, w.outsider):
        assert not sees(client, user, trigger_url)

    # Care Provider B attends a meeting under the trigger plan: it sees that meeting and plan, no other.
    meeting = meeting_for(w.supervisor, trigger, [w.force, w.provider_b])
    assert sees(client, w.care_staff, trigger_url)
    assert sees(client, w.care_staff, reverse("prevention:meeting_detail", args=[meeting.pk]))
    assert not sees(client, w.care_staff, prevention_url)
    assert not sees(client, w.partner, trigger_url)

    # Council B is given an action on the prevention plan: it sees that plan and the action.
    action = Action.objects.create(
        plan=prevention,
        description="Check the housing register",
        owner=w.partner,
        owner_organisation=w.council_b,
        due_on=timezone.localdate(),
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    assert sees(client, w.partner, prevention_url)
    assert selectors.actions_visible_to(w.partner).filter(pk=action.pk).exists()
    assert not sees(client, w.partner, trigger_url)
    for user in (w.outsider, pw.analyst):
        assert not sees(client, user, trigger_url) and not sees(client, user, prevention_url)


def test_a_referral_is_seen_by_the_authority_it_was_made_to(client, pw):
    w = pw.world
    daniel, episode = daniel_missing_once(w)
    plan = plan_for(w.supervisor, person=daniel)
    referral = actions.referral_make(
        actor=w.supervisor,
        person=daniel,
        episode=episode,
        referred_to=w.council_b,
        reason="Family asked for help",
    )
    url = reverse("prevention:referral_detail", args=[referral.pk])
    assert sees(client, w.officer, url)
    assert sees(client, w.partner, url)
    # Receiving the referral shows Council B the referral, not the person's other records.
    assert not sees(client, w.partner, reverse("prevention:plan_detail", args=[plan.pk]))
    for user in (w.care_staff, w.outsider, pw.analyst, w.commissioner):
        assert not sees(client, user, url)


def test_a_location_record_is_seen_by_its_force_provider_and_council(client, pw):
    w = pw.world
    oak = plan_for(pw.coordinator, location=w.oak_house)
    hostel = Location.objects.create(
        name="South Hostel", category=LocationCategory.HOSTEL, force=w.force, district=w.south
    )
    south = plan_for(pw.coordinator, location=hostel)
    oak_url = reverse("prevention:plan_detail", args=[oak.pk])
    south_url = reverse("prevention:plan_detail", args=[south.pk])
    # Oak House: the force, its provider (Care Provider B), North's council (Council B).
    for user in (w.officer, w.care_staff, w.partner):
        assert sees(client, user, oak_url), user
    # The hostel in South has no provider and South no council: the force alone.
    assert sees(client, w.officer, south_url)
    assert not sees(client, w.care_staff, south_url)
    assert not sees(client, w.partner, south_url)
    for user in (w.outsider, pw.analyst, pw.auditor, w.commissioner):
        assert not sees(client, user, oak_url) and not sees(client, user, south_url)


def test_the_outsider_cannot_start_records_about_what_it_cannot_see(client, pw):
    w = pw.world
    ruby, episode = ruby_missing_once(w)
    client.force_login(w.outsider)  # a missing officer, so allowed to plan — but not about these
    for url in (
        f"{reverse('prevention:plan_new')}?person={ruby.pk}",
        f"{reverse('prevention:plan_new')}?location={w.oak_house.pk}",
        f"{reverse('prevention:meeting_new')}?person={ruby.pk}",
        f"{reverse('prevention:referral_new')}?episode={episode.pk}",
    ):
        assert client.get(url).status_code == 404, url
    assert selectors.referrals_for(actor=w.outsider) == []
    assert selectors.plans_open_for(actor=w.outsider) == []
