"""Regression tests for defects a review found in the issue-3 work (one test each)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from homeward.conftest import make_user
from homeward.episodes import actions as episode_actions
from homeward.episodes.tests.factories import assess, make_ruby, report
from homeward.errors import InvalidInput, NotAllowed
from homeward.identity.models import Organisation, OrganisationKind
from homeward.identity.roles import Role
from homeward.people.actions import PersonData, person_address_add, resident_register
from homeward.people.models import Person
from homeward.places.actions import locality_assessment_record
from homeward.places.models import Location, LocationCategory
from homeward.prevention import selectors
from homeward.prevention.tests.helpers import meeting_for, plan_for
from homeward.protocols.models import ProtocolProfile
from homeward.protocols.tests.helpers import make_profile

pytestmark = pytest.mark.django_db


def test_action_owner_choices_do_not_reveal_premises_of_episodes_the_planner_cannot_see(world):
    ruby = make_ruby(world)
    report(world, ruby)  # missing from Oak House (Care Provider B)
    Person.objects.filter(pk=ruby.pk).update(placing_authority=world.council_c)
    ruby.refresh_from_db()
    assert selectors.people_visible(world.outsider).filter(pk=ruby.pk).exists()
    owners = selectors.owner_choices(world.outsider, person=ruby)  # Council C sees Ruby, not the episode
    assert world.outsider in owners  # its own staff are offered
    assert world.care_staff not in owners


def test_return_interview_workers_see_only_their_own_actions_not_the_plans_their_service_attends(world):
    coordinator = make_user("cleo_coordinator", world.force, Role.MFH_COORDINATOR)
    service = Organisation.objects.create(
        name="Return Interview Service A", kind=OrganisationKind.RHI_SERVICE, force=world.force
    )
    worker = make_user("wendy_worker", service, Role.RHI_WORKER)
    plan = plan_for(coordinator, person=make_ruby(world))
    meeting_for(coordinator, plan, [service])
    assert not selectors.plans_visible_to(worker).exists()
    assert not selectors.meetings_visible_to(worker).exists()
    assert worker not in selectors.owner_choices(coordinator, person=plan.person)


def test_a_far_future_locality_assessment_date_is_a_field_error_not_a_crash(world):
    with pytest.raises(InvalidInput) as excinfo:
        locality_assessment_record(
            actor=world.care_staff,
            location=world.oak_house,
            outcome="suitable",
            assessed_on=dt.date(9999, 12, 31),
            reasons="Quiet residential street, no known hotspots.",
        )
    assert "assessed_on" in excinfo.value.errors


def test_a_resident_registered_by_a_provider_without_a_force_belongs_to_the_premises_force(world):
    loose = Organisation.objects.create(name="Independent Homes Ltd", kind=OrganisationKind.CARE_PROVIDER)
    carer = make_user("ivy_independent", loose, Role.CARE_STAFF)
    home = Location.objects.create(
        name="Elm Lodge",
        category=LocationCategory.CHILDRENS_HOME,
        district=world.north,
        force=world.force,
        provider=loose,
        address="3 Elm Road",
        postcode="NT1 3EL",
    )
    person = resident_register(
        actor=carer,
        data=PersonData(given_name="Keira", family_name="Lomax", date_of_birth=dt.date(2011, 3, 4)),
        supplied_by="Ivy",
        location=home,
        since=timezone.localdate(),
    )
    assert person.force == world.force


def test_a_move_to_a_hostel_does_not_hand_the_profile_to_the_family(world):
    profile = make_profile(world)
    hostel = Location.objects.create(
        name="Station Road Hostel",
        category=LocationCategory.HOSTEL,
        district=world.north,
        force=world.force,
        address="9 Station Road",
        postcode="NT1 9SR",
    )
    person_address_add(
        actor=world.call_handler,
        person=profile.person,
        since=profile.created_at.date(),
        supplied_by="Officer",
        location=hostel,
    )
    assert ProtocolProfile.objects.get(pk=profile.pk).holder == world.provider_b


def test_only_the_owning_force_records_the_mpu_notification(world):
    episode = assess(world, report(world, make_ruby(world)))
    other_force = Organisation.objects.create(name="Force Z Police", kind=OrganisationKind.POLICE_FORCE)
    stranger = make_user("zed_officer", other_force, Role.OFFICER)
    with pytest.raises(NotAllowed):
        episode_actions.episode_record_mpu_notified(
            actor=stranger, episode=episode, expected_version=episode.version
        )
