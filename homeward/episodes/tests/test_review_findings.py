"""Regression tests for the defects an independent review found in the casework core."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connections, transaction
from django.urls import reverse
from django.utils import timezone

from homeward.audit.models import AuditEvent
from homeward.conftest import make_user
from homeward.episodes import actions
from homeward.episodes.models import Episode, Status
from homeward.episodes.tests.factories import assess, find, make_adult, make_ruby, report
from homeward.errors import IllegalTransition, InvalidInput
from homeward.identity.roles import Role
from homeward.people.actions import PersonData, person_create
from homeward.places.models import Location, LocationCategory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMINISTRATOR, Role.RHI_WORKER, Role.VOLUNTARY_WORKER])
def test_force_staff_without_casework_roles_see_no_cases(client, world, role):
    episode = report(world, make_ruby(world))
    user = make_user(f"user_{role}", world.force, role)
    client.force_login(user)
    assert client.get(reverse("episode_detail", args=[episode.pk])).status_code == 404
    assert client.get(f"/api/v1/episodes/{episode.pk}").status_code in (403, 404)
    assert client.get(f"/api/v1/people/{episode.person_id}").status_code in (403, 404)
    listing = client.get("/api/v1/episodes?status=open")
    assert (
        listing.status_code == 403
        or listing.json() == []
        or episode.reference not in listing.content.decode()
    )


def test_withheld_whereabouts_are_hidden_from_partners_but_not_the_force(client, world):
    adult = make_adult(world)
    episode = assess(
        world, report(world, adult, missing_from=world.oak_house, district=world.north), "medium"
    )
    actions.episode_mark_found(
        actor=world.officer,
        episode=episode,
        expected_version=episode.version,
        data=actions.FoundData(
            found_at=timezone.now(),
            found_place="Refuge on Secret Street",
            how_found="police",
            condition="safe_well",
            where_been="With a friend at the refuge",
            withhold_whereabouts=True,
        ),
    )
    client.force_login(world.care_staff)  # Oak House's provider can see the episode
    body = client.get(reverse("episode_detail", args=[episode.pk])).content.decode()
    assert "Secret Street" not in body and "refuge" not in body.lower()
    assert "Withheld at the person&#x27;s request" in body
    client.force_login(world.officer)
    assert (
        "Refuge on Secret Street" in client.get(reverse("episode_detail", args=[episode.pk])).content.decode()
    )


def test_council_cannot_browse_private_home_addresses(client, world):
    episode = report(world, make_adult(world), from_home=False)
    assert episode.missing_from == world.family_home
    private_north = Location.objects.create(
        name="3 Hidden Way", category=LocationCategory.PRIVATE_HOME, force=world.force, district=world.north
    )
    client.force_login(world.partner)
    assert client.get(reverse("location_detail", args=[private_north.pk])).status_code == 404
    assert client.get(reverse("location_detail", args=[world.family_home.pk])).status_code == 404
    # A private home is visible when a child the council placed went missing from it.
    ruby = make_ruby(world)
    placed = report(world, ruby, from_home=False, reasonable_steps="")
    assert placed.placing_authority == world.council_b
    assert client.get(reverse("location_detail", args=[world.family_home.pk])).status_code == 200


def test_reading_an_action_is_logged(client, world):
    episode = assess(world, report(world, make_ruby(world)))
    enquiry = actions.enquiry_add(actor=world.officer, episode=episode, description="Check CCTV", owner=None)
    client.force_login(world.officer)
    before = AuditEvent.objects.filter(operation="consultation").count()
    client.get(reverse("enquiry_edit", args=[enquiry.pk]))
    assert AuditEvent.objects.filter(operation="consultation").count() == before + 1


@pytest.mark.parametrize("value", ["²", "1" * 30, "-1", "abc", "٣"])
def test_odd_district_parameters_never_500(client, world, value):
    client.force_login(world.supervisor)
    for name in ("dashboard", "dashboard_rows", "location_list"):
        assert client.get(reverse(name), {"district": value}).status_code == 200


@pytest.mark.parametrize(
    ("kind", "length"), [("alias", 150), ("associate", 250), ("place", 301), ("contact", 250)]
)
def test_over_long_facts_are_refused_not_crashed(client, world, kind, length):
    ruby = make_ruby(world)
    client.force_login(world.officer)
    response = client.post(
        reverse("person_add_fact", args=[ruby.pk]),
        {"kind": kind, "value": "x" * length, "supplied_by": "Mum"},
    )
    assert response.status_code == 200 and "at most" in response.content.decode()


def test_long_term_needs_the_threshold(world, settings):
    episode = assess(world, report(world, make_adult(world), from_home=False))
    with pytest.raises(IllegalTransition, match="28 days"):
        actions.episode_mark_long_term(
            actor=world.supervisor, episode=episode, expected_version=episode.version
        )
    Episode.objects.filter(pk=episode.pk).update(reported_at=timezone.now() - dt.timedelta(days=29))
    episode.refresh_from_db()
    episode = actions.episode_mark_long_term(actor=None, episode=episode, expected_version=episode.version)
    assert episode.status == Status.LONG_TERM


def test_unknown_age_is_never_graded_very_low(world):
    person = person_create(
        actor=world.call_handler, data=PersonData(given_name="No", family_name="Age"), supplied_by="Caller"
    )
    episode = report(world, person, from_home=False)
    assert episode.is_child is None
    with pytest.raises(InvalidInput, match="age is not known"):
        assess(world, episode, "very_low")


def test_adult_age_setting_is_respected(world, settings):
    settings.HOMEWARD_ADULT_AGE = 21
    person = person_create(
        actor=world.call_handler,
        data=PersonData(
            given_name="Care",
            family_name="Leaver",
            date_of_birth=timezone.localdate().replace(year=timezone.localdate().year - 19)
            - dt.timedelta(days=3),
        ),
        supplied_by="PA",
    )
    assert report(world, person, from_home=False).is_child is True


def test_sign_off_cannot_set_a_review_after_found(world):
    episode = find(world, assess(world, report(world, make_ruby(world))))
    with pytest.raises(InvalidInput):
        actions.risk_assessment_sign_off(
            actor=world.supervisor,
            assessment=episode.risk_assessments.get(),
            expected_version=episode.version,
            next_review_due=timezone.now() + dt.timedelta(hours=2),
        )


def test_closed_episodes_take_no_more_updates_or_sightings(world):
    episode = find(world, assess(world, report(world, make_ruby(world))))
    episode = actions.episode_close(
        actor=world.supervisor,
        episode=episode,
        expected_version=episode.version,
        prevention_not_done_reason="Placed out of force the same night",
    )
    with pytest.raises(IllegalTransition):
        actions.episode_update_add(actor=world.officer, episode=episode, text="late note")
    with pytest.raises(IllegalTransition):
        actions.sighting_record(
            actor=world.officer,
            episode=episode,
            seen_at=timezone.now(),
            place="x",
            reported_by="y",
            details="",
        )


def test_the_database_allows_one_open_episode_per_person(world):
    episode = report(world, make_ruby(world))
    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.create(
            **{
                f.attname: getattr(episode, f.attname)
                for f in Episode._meta.concrete_fields
                if f.attname != "id"
            }
            | {"reference": "MP-DUP"}
        )


@pytest.mark.django_db(transaction=True)
def test_simultaneous_reports_create_one_episode(world):
    ruby = make_ruby(world)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def take_report():
        try:
            barrier.wait(timeout=10)
            report(world, ruby)
            outcomes.append("reported")
        except InvalidInput:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take_report) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["refused", "reported"]
    assert Episode.objects.filter(person=ruby).count() == 1


def test_sign_off_page_refuses_an_assessment_of_another_episode(client, world):
    a = assess(world, report(world, make_ruby(world)))
    b = assess(world, report(world, make_adult(world), from_home=False))
    client.force_login(world.supervisor)
    ra_b = b.risk_assessments.get()
    response = client.post(reverse("risk_sign_off", args=[a.pk, ra_b.pk]), {"version": a.version})
    assert response.status_code == 404
    ra_b.refresh_from_db()
    assert ra_b.signed_off_at is None


def test_error_summary_links_reach_radio_groups(client, world):
    episode = report(world, make_ruby(world))
    client.force_login(world.supervisor)
    body = client.post(
        reverse("risk_new", args=[episode.pk]), {"version": 1, "rationale": ""}
    ).content.decode()
    assert 'href="#id_level_0"' in body and 'id="id_level_0"' in body
