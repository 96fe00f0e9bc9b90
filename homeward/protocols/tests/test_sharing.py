"""Who sees which profile, the profile moving with the person, and every route's answer to strangers."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, get_resolver, reverse

from homeward.audit.models import AuditEvent, Operation
from homeward.episodes.models import Episode
from homeward.episodes.tests.factories import make_adult, report
from homeward.errors import NotAllowed
from homeward.people.actions import person_address_add
from homeward.protocols import actions
from homeward.protocols.models import ProtocolProfile
from homeward.protocols.navigation import nav_items
from homeward.protocols.tests.helpers import login, make_extra, make_profile, submit_report

pytestmark = pytest.mark.django_db


def protocol_routes() -> list[tuple[str, list[str]]]:
    resolver = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "protocols")
    return [
        (f"protocols:{p.name}", list(p.pattern.regex.groupindex))
        for p in resolver.url_patterns
        if isinstance(p, URLPattern)
    ]


def _url(name: str, args: list[str], profile: ProtocolProfile, report_id: int) -> str:
    ids = {"pk": report_id if ":report_" in name else profile.pk, "person_id": profile.person_id}
    return reverse(name, kwargs={a: ids[a] for a in args})


def test_outsider_gets_404_on_every_profile_url(client, world):
    profile = make_profile(world)
    part2 = submit_report(world, profile)
    login(client, world.outsider)
    checked = 0
    for name, args in protocol_routes():
        if not args:
            continue
        url = _url(name, args, profile, part2.pk)
        for method in (client.get, client.post):
            # The same 404 as for a profile that does not exist, whatever the method or the role.
            assert method(url).status_code == 404, (name, method)
        checked += 1
    assert checked >= 12
    # Their lists are empty, not an error.
    listing = client.get(reverse("protocols:list")).content.decode()
    assert "Ruby Hartley" not in listing
    profile.refresh_from_db()
    assert profile.version == 1 and profile.holder == world.provider_b


def test_anonymous_users_are_sent_to_sign_in(client, world):
    profile = make_profile(world)
    part2 = submit_report(world, profile)
    for name, args in protocol_routes():
        url = _url(name, args, profile, part2.pk)
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), name


def test_police_see_a_profile_only_while_the_person_is_missing(client, world):
    profile = make_profile(world)
    detail = reverse("protocols:detail", args=[profile.pk])
    login(client, world.call_handler)
    assert client.get(detail).status_code == 404  # the police do not hold the form
    assert f'data-profile="{profile.pk}"' not in client.get(reverse("protocols:list")).content.decode()
    episode = report(world, profile.person)
    assert client.get(detail).status_code == 200
    Episode.objects.filter(pk=episode.pk).update(status="closed")
    assert client.get(detail).status_code == 404  # returned once found and closed
    submit_report(world, profile)
    assert client.get(detail).status_code == 200  # the carer has sent a part 2


def test_who_sees_the_profile(client, world):
    extra = make_extra(world)
    profile = make_profile(world)
    report(world, profile.person)  # missing now: the police may see the form
    detail = reverse("protocols:detail", args=[profile.pk])
    expected = {
        world.care_staff: 200,  # holder
        extra.care_b2: 200,  # holder, another keeper
        world.call_handler: 200,  # force of the person
        world.officer: 200,
        world.partner: 200,  # council B placed Ruby
        extra.care_d: 404,  # another provider
        world.outsider: 404,
        extra.analyst: 404,  # police, but does not work cases: no need to see the form
    }
    for user, status in expected.items():
        client.logout()
        login(client, user)
        assert client.get(detail).status_code == status, user.username
    client.logout()
    login(client, world.commissioner)  # no casework at all
    assert client.get(detail).status_code == 403
    assert client.get(reverse("protocols:list")).status_code == 403


def test_police_list_shows_profiles_in_the_force(client, world):
    profile = make_profile(world)
    submit_report(world, profile)
    login(client, world.call_handler)
    body = client.post(reverse("protocols:list"), {"q": "hartley"}).content.decode()
    assert f'data-profile="{profile.pk}"' in body
    assert (
        f'data-profile="{profile.pk}"'
        not in client.post(reverse("protocols:list"), {"q": "nobody"}).content.decode()
    )
    listed = AuditEvent.objects.filter(
        event_type="profile.listed", actor_user_id=world.call_handler.pk
    ).first()
    assert (
        listed is not None
        and listed.operation == Operation.CONSULTATION
        and str(profile.pk) in listed.object_ids
    )


def test_transfer_moves_visibility_from_old_holder_to_new(client, world):
    extra = make_extra(world)
    profile = make_profile(world)
    login(client, world.care_staff)
    page = client.get(reverse("protocols:transfer", args=[profile.pk])).content.decode()
    assert "Care Provider D" in page and "Force A Police" not in page  # the police never hold profiles
    response = client.post(
        reverse("protocols:transfer", args=[profile.pk]),
        {
            "version": profile.version,
            "new_holder": extra.provider_d.pk,
            "reason": "Placement moved to Birch House",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("protocols:list")
    profile.refresh_from_db()
    assert profile.holder == extra.provider_d and profile.version == 2
    audit = AuditEvent.objects.get(event_type="profile.transferred")
    assert audit.operation == Operation.DISCLOSURE and audit.recipient_agency_id == extra.provider_d.pk

    assert client.get(reverse("protocols:detail", args=[profile.pk])).status_code == 404
    assert f'data-profile="{profile.pk}"' not in client.get(reverse("protocols:list")).content.decode()
    client.logout()
    login(client, extra.care_d)
    assert f'data-profile="{profile.pk}"' in client.get(reverse("protocols:list")).content.decode()
    body = client.get(reverse("protocols:detail", args=[profile.pk])).content.decode()
    assert "Moved from Care Provider B to Care Provider D — Placement moved to Birch House" in body
    # The new holder keeps it now.
    edit = client.post(
        reverse("protocols:edit", args=[profile.pk]),
        {"scheme": "philomena", "version": profile.version, "routines": "Birch House routine"},
    )
    assert edit.status_code == 302


def test_placing_authority_may_move_the_profile_to_the_family(world):
    profile = make_profile(world)
    moved = actions.profile_transfer(
        actor=world.partner,
        profile=profile,
        new_holder=None,
        new_holder_name="Mrs Hartley (mother), 07700 900555",
    )
    assert moved.holder is None and moved.holder_label == "Family: Mrs Hartley (mother), 07700 900555"
    with pytest.raises(NotAllowed):
        actions.profile_transfer(actor=world.care_staff, profile=moved, new_holder=world.provider_b)
    with pytest.raises(NotAllowed):  # the police do not hand profiles around
        actions.profile_transfer(actor=world.call_handler, profile=moved, new_holder=world.provider_b)


def test_profile_follows_a_new_placement(world):
    extra = make_extra(world)
    profile = make_profile(world)
    person_address_add(
        actor=world.call_handler,
        person=profile.person,
        since=profile.created_at.date(),
        supplied_by="Council B",
        location=extra.birch_house,
        is_placement=True,
        placing_authority=world.council_b,
    )
    # Recording the placement moved the profile (people.actions.person_address_add calls the follow step).
    moved = profile.__class__.objects.get(pk=profile.pk)
    assert moved.holder == extra.provider_d
    assert "New placement at Birch House" in moved.events.first().summary
    # A move to where it already is does nothing.
    assert (
        actions.profile_follow_placement(
            actor=world.call_handler, person=profile.person, location=extra.birch_house
        )
        is None
    )


def test_profile_follows_a_foster_placement_to_the_placing_authority(world):
    profile = make_profile(world)
    person_address_add(
        actor=world.call_handler,
        person=profile.person,
        since=profile.created_at.date(),
        supplied_by="Council B fostering team",
        address="14 Rowan Close, Northtown",
        is_placement=True,
        placing_authority=world.council_b,
    )
    moved = ProtocolProfile.objects.get(pk=profile.pk)
    assert moved.holder == world.council_b  # no provider runs a foster home: the council holds it
    assert "arranged by Council B" in moved.events.first().summary


def test_profile_follows_a_child_home_to_the_family(world):
    profile = make_profile(world)
    person_address_add(
        actor=world.call_handler,
        person=profile.person,
        since=profile.created_at.date(),
        supplied_by="Her mother",
        location=world.family_home,
    )
    moved = ProtocolProfile.objects.get(pk=profile.pk)
    assert moved.holder is None and moved.holder_label == "Family: living at home"
    assert not ProtocolProfile.objects.filter(pk=profile.pk, holder=world.provider_b).exists()
    # Recording the same again changes nothing more.
    assert (
        actions.profile_follow_placement(actor=world.call_handler, person=profile.person, location=None)
        is None
    )


def test_person_panel(client, world):
    profile = make_profile(world)
    report(world, profile.person)
    stranger = make_adult(world)
    login(client, world.officer)
    body = client.get(reverse("person_detail", args=[profile.person_id])).content.decode()
    assert 'id="protocol-person-panel"' in body and reverse("protocols:detail", args=[profile.pk]) in body
    assert "Care Provider B" in body
    body = client.get(reverse("person_detail", args=[stranger.pk])).content.decode()
    assert "No Philomena or Herbert profile on record" in body


def test_person_panel_offers_a_keeper_to_start_one(client, world):
    from homeward.episodes.tests.factories import make_ruby

    ruby = make_ruby(world)
    report(world, ruby)  # missing from Oak House: now Care Provider B sees her record
    login(client, world.care_staff)
    body = client.get(reverse("person_detail", args=[ruby.pk])).content.decode()
    assert reverse("protocols:create", args=[ruby.pk]) in body


def test_nav_items(world):
    extra = make_extra(world)
    assert nav_items(world.care_staff) == [("Profiles", "protocols:list")]
    assert nav_items(world.call_handler) == [
        ("Profiles", "protocols:list"),
        ("Submitted reports", "protocols:submitted"),
    ]
    assert nav_items(world.partner) == [("Profiles", "protocols:list")]
    assert nav_items(world.commissioner) == []
    assert nav_items(extra.analyst) == []
