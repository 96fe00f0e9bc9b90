"""Each sharing rule gives exactly what it says, to whom it says, and nothing to anyone else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from homeward.conftest import make_user
from homeward.episodes.selectors import episodes_visible_to
from homeward.episodes.tests.factories import assess, find, make_adult, make_ruby, report
from homeward.identity.models import District, Organisation, OrganisationKind
from homeward.identity.roles import Role
from homeward.identity.sharing_rules import Basis, SharingRule
from homeward.people.models import Person
from homeward.people.selectors import people_visible_to

pytestmark = pytest.mark.django_db


def visible(user):
    return set(episodes_visible_to(user).values_list("reference", flat=True))


def test_defaults_are_loaded_by_migration():
    assert SharingRule.objects.filter(
        organisation_kind=OrganisationKind.POLICE_FORCE, basis=Basis.FORCE_ALL
    ).exists()
    assert SharingRule.objects.count() == 6


def test_placing_authority_sees_the_children_it_placed_anywhere(world):
    ruby_away = report(world, make_ruby(world), from_home=False, reasonable_steps="")  # missing in South
    assert visible(world.partner) == {ruby_away.reference}
    assert ruby_away.person in people_visible_to(world.partner)
    assert visible(world.outsider) == set()


def test_host_authority_sees_children_missing_in_its_area_but_not_adults(world):
    host = Organisation.objects.create(
        name="Council South", kind=OrganisationKind.LOCAL_AUTHORITY, force=world.force
    )
    District.objects.filter(pk=world.south.pk).update(council=host)
    host_user = make_user("harriet_host", host, Role.CSC_MISSING_OFFICER)
    child = report(world, make_ruby(world), from_home=False, reasonable_steps="")
    adult = report(world, make_adult(world), from_home=False)
    assert visible(host_user) == {child.reference}
    assert adult.reference not in visible(host_user)


def test_home_authority_sees_children_who_live_in_its_area(world):
    home = Organisation.objects.create(
        name="Council East", kind=OrganisationKind.LOCAL_AUTHORITY, force=world.force
    )
    east = District.objects.create(force=world.force, name="East", council=home)
    home_user = make_user("hana_home", home, Role.CSC_MISSING_OFFICER)
    ruby = make_ruby(world)
    ruby.home_district = east
    ruby.save()
    episode = report(world, ruby)
    assert visible(home_user) == {episode.reference}


def test_provider_sees_people_missing_from_its_premises_only(world):
    from_home = report(world, make_ruby(world))
    elsewhere = report(world, make_adult(world), from_home=False)
    assert visible(world.care_staff) == {from_home.reference}
    assert elsewhere.reference not in visible(world.care_staff)


def test_switching_a_rule_off_takes_the_access_away(world):
    episode = report(world, make_ruby(world))
    assert episode.reference in visible(world.partner)
    SharingRule.objects.filter(organisation_kind=OrganisationKind.LOCAL_AUTHORITY).update(active=False)
    assert visible(world.partner) == set()
    assert visible(world.officer) == {episode.reference}  # police unaffected


def test_a_rule_naming_one_organisation_grants_only_that_organisation(world):
    episode = report(world, make_ruby(world))
    charity = Organisation.objects.create(
        name="Runaway Helpline", kind=OrganisationKind.CHARITY, force=world.force
    )
    worker = make_user("val_voluntary", charity, Role.CSC_MISSING_OFFICER)  # a role that works on cases
    assert visible(worker) == set()
    SharingRule.objects.create(organisation=charity, basis=Basis.HOST_AUTHORITY_CHILDREN, note="pilot")
    assert visible(worker) == set()  # the charity is no district's council: the basis gives it nothing
    SharingRule.objects.create(organisation=charity, basis=Basis.MISSING_FROM_PREMISES)
    world.oak_house.provider = charity
    world.oak_house.save()
    # The episode keeps the provider it was reported under; a report after the change is the charity's.
    assert visible(worker) == set()
    find(world, assess(world, episode))
    later = report(world, Person.objects.get(pk=episode.person_id))
    assert visible(worker) == {later.reference}


def test_commissioner_sees_no_cases_whatever_the_rules(world):
    report(world, make_ruby(world))
    SharingRule.objects.create(organisation_kind=OrganisationKind.COMMISSIONER, basis=Basis.FORCE_ALL)
    assert visible(world.commissioner) == set()


def test_administrators_can_read_the_rules_and_others_cannot(client, world):
    admin = make_user("ada_admin", world.force, Role.ADMINISTRATOR)
    client.force_login(admin)
    body = client.get(reverse("sharing_rules")).content.decode()
    assert "Every local authority" in body and "Children it placed" not in body  # labels are the basis text
    assert "Children and adults it placed (placing authority)" in body
    client.force_login(world.officer)
    assert client.get(reverse("sharing_rules")).status_code == 403
