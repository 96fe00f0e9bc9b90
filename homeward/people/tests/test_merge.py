"""Merging two records of the same person: the action (people.actions.merge_person_records) and the page.

docs/definitions.md "Merged person records" says what a merge does; these tests hold it to that.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from homeward.audit.models import AuditEvent, Operation
from homeward.conftest import make_user
from homeward.episodes.models import Episode
from homeward.errors import EditConflict, InvalidInput, NotAllowed
from homeward.identity.models import Organisation, OrganisationKind
from homeward.identity.roles import Role
from homeward.insights.tests.builders import episode, utc
from homeward.people.actions import PersonData, merge_person_records, person_create, person_update
from homeward.people.models import (
    Person,
    PersonAddress,
    PersonAlias,
    PersonAssociate,
    PersonContact,
    PersonMarker,
    PersonPhoto,
    PersonPlace,
    PersonSearchKey,
)
from homeward.people.search import SearchQuery, people_search
from homeward.prevention.models import EarlyHelpReferral, Plan
from homeward.protocols.models import ProtocolProfile
from homeward.returns.models import ReturnInterview

pytestmark = pytest.mark.django_db

AT = utc(2025, 1, 10)


def _person(world, given="Kai", family="Brennan", **facts):
    return person_create(
        actor=world.call_handler,
        data=PersonData(given_name=given, family_name=family, **facts),
        supplied_by="Mother",
    )


def _supplied(person, **extra):
    return {"person": person, "supplied_by": "Carer", "recorded_by": None, "recorded_at": AT, **extra}


@pytest.fixture
def pair(world):
    """Kai Brennan (kept: no date of birth, sex not known) and 'Kai Brenan' (the duplicate: born
    12 March 2010, male) with something of every kind on the duplicate."""
    keep = _person(world, markers=["cse"])
    PersonMarker.objects.filter(person=keep).update(active=False, detail="withdrawn")
    keep.refresh_from_db()
    dup = _person(
        world,
        family="Brenan",
        date_of_birth=dt.date(2010, 3, 12),
        sex="male",
        hair="Brown",
        markers=["cse", "mental_health"],
        aliases=[("KB", "")],
    )
    PersonMarker.objects.filter(person=dup, marker="cse").update(detail="Seen with older men")
    ep1 = episode(world, keep, utc(2025, 1, 1))
    ep2 = episode(world, dup, utc(2025, 1, 5))
    ep3 = episode(world, dup, utc(2025, 1, 8))
    ReturnInterview.objects.create(episode=ep2, person=dup, referred_at=AT, offer_due_at=AT, updated_at=AT)
    ProtocolProfile.objects.create(person=dup, scheme="philomena", created_at=AT, updated_at=AT)
    Plan.objects.create(
        kind="trigger_plan", person=dup, organisation=world.force, concerns="x", created_at=AT, updated_at=AT
    )
    EarlyHelpReferral.objects.create(
        person=dup,
        episode=ep2,
        referred_by_organisation=world.force,
        referred_to=world.council_b,
        reason="First time missing",
        made_at=AT,
    )
    PersonAddress.objects.create(**_supplied(dup, address="3 Birch Close", since=dt.date(2024, 1, 1)))
    PersonPlace.objects.create(**_supplied(dup, description="Skate park"))
    PersonContact.objects.create(**_supplied(dup, kind="phone", value="07700 900123"))
    PersonAssociate.objects.create(**_supplied(dup, name="Jade Ellis"))
    PersonPhoto.objects.create(
        **_supplied(dup, image="photos/x.png", content_type="image/png", taken_on=dt.date(2024, 5, 1))
    )
    # A record merged into the duplicate earlier now points at the kept record.
    old = Person.objects.create(
        given_name="K", family_name="Brennan", owner=world.force, force=world.force, merged_into=dup,
        created_at=AT, updated_at=AT,
    )  # fmt: skip
    return keep, dup, (ep1, ep2, ep3), old


def _merge(world, keep, dup, **kwargs):
    return merge_person_records(
        actor=kwargs.pop("actor", world.supervisor),
        keep=keep,
        duplicate=dup,
        reason=kwargs.pop("reason", "Same child: same school and carer"),
        expected_keep_version=kwargs.pop("keep_version", keep.version),
        expected_duplicate_version=kwargs.pop("dup_version", dup.version),
    )


def test_merge_moves_every_row_to_the_kept_record(world, pair):
    keep, dup, (ep1, ep2, ep3), old = pair
    ages_before = {e.pk: (e.age_at_report, e.is_child) for e in Episode.objects.all()}
    versions = keep.version, dup.version

    result = _merge(world, keep, dup)

    # Found by introspection, so a table added later is checked here too: nothing points at the tombstone.
    for rel in Person._meta.related_objects:
        left = rel.related_model._default_manager.filter(**{rel.field.name: dup}).count()
        assert left == 0, rel.related_model._meta.label
    assert set(keep.episodes.values_list("pk", flat=True)) == {ep1.pk, ep2.pk, ep3.pk}
    assert keep.return_interviews.count() == 1 and keep.protocol_profiles.count() == 1
    assert keep.prevention_plans.count() == 1 and keep.early_help_referrals.count() == 1
    assert keep.addresses.get().address == "3 Birch Close"
    assert (keep.places.count(), keep.contacts.count(), keep.associates.count(), keep.photos.count()) == (
        1,
        1,
        1,
        1,
    )
    old.refresh_from_db()
    assert old.merged_into_id == keep.pk
    assert result.moved["episodes.episode"] == 2

    # Markers: once per person; active because the duplicate's was, with its detail and source.
    markers = {m.marker: m for m in PersonMarker.objects.filter(person=keep)}
    assert set(markers) == {"cse", "mental_health"}
    assert markers["cse"].active and markers["cse"].detail == "Seen with older men"

    # The duplicate's name is now another name of the kept person; its own alias came along.
    assert {(a.given_name, a.family_name) for a in keep.aliases.all()} == {("Kai", "Brenan"), ("KB", "")}

    # Facts: the kept record's blanks filled from the duplicate, with where they came from.
    keep.refresh_from_db()
    assert keep.date_of_birth == dt.date(2010, 3, 12) and keep.sex == "male" and keep.hair == "Brown"
    assert keep.fact_sources["date_of_birth"]["merged_from"] == dup.pk
    assert keep.fact_sources["date_of_birth"]["by"] == "Mother"
    assert keep.given_name == "Kai" and keep.family_name == "Brennan"

    # Snapshots taken at report are history: not recomputed from the new date of birth.
    assert {e.pk: (e.age_at_report, e.is_child) for e in Episode.objects.all()} == ages_before

    # The tombstone: names the kept record, owns nothing, versions of both moved on.
    dup.refresh_from_db()
    assert (dup.merged_into_id, dup.merged_by_id) == (keep.pk, world.supervisor.pk)
    assert dup.merged_at is not None
    assert (keep.version, dup.version) == (versions[0] + 1, versions[1] + 1)

    # Search keys rebuilt: the duplicate's spelling and date now find the kept record only.
    assert not PersonSearchKey.objects.filter(person=dup).exists()
    found = people_search(
        SearchQuery("Kai", "Brenan", 2010, 3, 12, as_of=dt.date(2025, 2, 1)), Person.objects.all()
    )
    assert found[0].person == keep and dup.pk not in [c.person.pk for c in found]

    event = AuditEvent.objects.filter(event_type="person.merged").get()
    assert event.operation == Operation.COMBINATION
    assert event.object_ids == [str(keep.pk), str(dup.pk)]
    assert event.reason_text == "Same child: same school and carer"


def _state():
    return (
        AuditEvent.objects.filter(operation__in=[Operation.COMBINATION, Operation.ALTERATION]).count(),
        sorted(Person.objects.values_list("pk", "version", "merged_into")),
        sorted(Episode.objects.values_list("pk", "person_id")),
        sorted(PersonMarker.objects.values_list("pk", "person_id", "active")),
        sorted(PersonAlias.objects.values_list("pk", "person_id")),
        PersonSearchKey.objects.count(),
    )


def test_refusals_write_nothing(world):
    keep = _person(world)
    dup = _person(world, family="Brenan")
    merged = _person(world, given="Old")
    Person.objects.filter(pk=merged.pk).update(merged_into=keep)
    merged.refresh_from_db()
    force_b = Organisation.objects.create(name="Force B Police", kind=OrganisationKind.POLICE_FORCE)
    elsewhere = Person.objects.create(
        given_name="Kai", family_name="Brennan", owner=force_b, force=force_b, created_at=AT, updated_at=AT
    )
    other_supervisor = make_user("bea_supervisor", force_b, Role.SUPERVISOR)
    before = _state()

    cases = [
        ({"dup": keep}, "That is this record"),
        ({"dup": merged}, "already been merged"),
        ({"dup": elsewhere}, "different forces"),
        ({"actor": other_supervisor}, "may not change both records"),
        ({"reason": "  "}, "Enter why"),
    ]
    for kwargs, message in cases:
        target = kwargs.pop("dup", dup)
        with pytest.raises(InvalidInput) as exc:
            _merge(world, keep, target, **kwargs)
        assert message in str(exc.value)
        assert _state() == before

    with pytest.raises(NotAllowed):
        _merge(world, keep, dup, actor=world.officer)
    assert _state() == before


def test_both_records_with_an_open_episode_are_refused(world):
    keep = _person(world)
    dup = _person(world, family="Brenan")
    episode(world, keep, utc(2025, 1, 1), found_after=None)
    episode(world, dup, utc(2025, 1, 2), found_after=None)
    before = _state()
    with pytest.raises(InvalidInput) as exc:
        _merge(world, keep, dup)
    assert exc.value.errors == {
        "other_record": "Both records have an open missing episode. Close one of them before merging."
    }
    assert _state() == before


def test_one_open_episode_moves(world):
    keep = _person(world)
    dup = _person(world, family="Brenan")
    open_one = episode(world, dup, utc(2025, 1, 2), found_after=None)
    _merge(world, keep, dup)
    open_one.refresh_from_db()
    assert open_one.person_id == keep.pk


def test_both_with_an_active_profile_are_refused(world):
    keep = _person(world)
    dup = _person(world, family="Brenan")
    for p in (keep, dup):
        ProtocolProfile.objects.create(person=p, scheme="philomena", created_at=AT, updated_at=AT)
    before = _state()
    with pytest.raises(InvalidInput, match="active Philomena/Herbert profile"):
        _merge(world, keep, dup)
    assert _state() == before


def test_an_edit_since_the_page_was_shown_is_a_conflict(world):
    keep = _person(world)
    dup = _person(world, family="Brenan")
    episode(world, dup, utc(2025, 1, 2))
    shown = keep.version, dup.version
    person_update(
        actor=world.officer,
        person=dup,
        expected_version=dup.version,
        changes={"hair": "Red"},
        supplied_by="X",
    )
    before = _state()
    with pytest.raises(EditConflict) as exc:
        _merge(world, keep, dup, keep_version=shown[0], dup_version=shown[1])
    assert exc.value.current_version == shown[1] + 1
    assert _state() == before


def test_a_merged_record_takes_no_more_changes_or_reports(world):
    from homeward.episodes.actions import ReportData, episode_report

    keep = _person(world)
    dup = _person(world, family="Brenan")
    _merge(world, keep, dup)
    dup.refresh_from_db()
    with pytest.raises(Exception, match="merged into record"):
        person_update(
            actor=world.officer,
            person=dup,
            expected_version=dup.version,
            changes={"hair": "Red"},
            supplied_by="X",
        )
    data = ReportData(
        reporting_person_name="Carer",
        reporting_person_relationship="Carer",
        last_seen_at=timezone.now() - dt.timedelta(hours=1),
        last_seen_place="Home",
        circumstances="Did not come home",
        district=world.north,
        missing_from_address="1 Road",
        missing_from_category="private_home",
    )
    with pytest.raises(InvalidInput, match="merged into record"):
        episode_report(actor=world.call_handler, person=dup, data=data)


# --- The page ----------------------------------------------------------------------------------------


def test_who_may_open_the_merge_page(client, world):
    keep = _person(world)
    url = reverse("person_merge", args=[keep.pk])
    assert client.get(url).status_code == 302  # the sign-in page
    client.force_login(world.officer)  # police, but the role may not merge
    assert client.get(url).status_code == 403
    assert "Merge a duplicate" not in client.get(reverse("person_detail", args=[keep.pk])).content.decode()
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    client.force_login(make_user("bea_supervisor", Organisation.objects.create(
        name="Force B Police", kind=OrganisationKind.POLICE_FORCE), Role.SUPERVISOR))  # fmt: skip
    assert client.get(url).status_code == 404
    client.force_login(world.supervisor)
    assert client.get(url).status_code == 200
    assert (
        "Merge a duplicate record into this one"
        in client.get(reverse("person_detail", args=[keep.pk])).content.decode()
    )


def test_merge_journey_find_confirm_merge(client, world):
    keep = _person(world)
    dup = _person(world, family="Brenan")
    episode(world, keep, utc(2025, 1, 1))
    episode(world, dup, utc(2025, 1, 5))
    episode(world, dup, utc(2025, 1, 8))
    client.force_login(world.supervisor)
    url = reverse("person_merge", args=[keep.pk])

    # Step 1: the other record's reference (a leading "P" is forgiven). Step 2: both side by side.
    page = client.post(url, {"other_record": f"P{dup.pk}"}).content.decode()
    assert 'data-episodes="1"' in page and 'data-episodes="2"' in page
    assert f'name="duplicate_version" value="{dup.version}"' in page
    assert "Kai Brenan" in page and 'name="confirm"' in page
    assert not Person.objects.filter(merged_into__isnull=False).exists()

    # Confirming without a reason: the message is beside the reason, nothing merged.
    confirm = {"other_record": dup.pk, "keep_version": keep.version, "duplicate_version": dup.version}
    page = client.post(url, {**confirm, "confirm": "1", "reason": ""}).content.decode()
    assert 'id="id_reason-error"' in page and 'data-episodes="2"' in page
    assert not Person.objects.filter(merged_into__isnull=False).exists()

    response = client.post(url, {**confirm, "confirm": "1", "reason": "Same school and carer"})
    assert response.status_code == 302 and response["Location"] == reverse("person_detail", args=[keep.pk])
    assert keep.episodes.count() == 3

    # The tombstone's page points at the kept record and offers no changes.
    page = client.get(reverse("person_detail", args=[dup.pk])).content.decode()
    assert "This record was merged into" in page
    assert f'href="{reverse("person_detail", args=[keep.pk])}"' in page
    for name in ("person_edit", "person_add_fact", "report_circumstances", "person_merge"):
        assert reverse(name, args=[dup.pk]) not in page, name
    # Search and lists leave the tombstone out.
    results = client.post(reverse("person_search"), {"given_name": "Kai", "family_name": "Brenan"})
    assert reverse("person_detail", args=[dup.pk]) + '"' not in results.content.decode()
    assert reverse("person_detail", args=[keep.pk]) in results.content.decode()


def test_refusals_are_shown_beside_the_reference(client, world):
    keep = _person(world)
    dup = _person(world, family="Brenan")
    episode(world, keep, utc(2025, 1, 1), found_after=None)
    episode(world, dup, utc(2025, 1, 2), found_after=None)
    client.force_login(world.supervisor)
    url = reverse("person_merge", args=[keep.pk])
    for typed, message in [
        (str(keep.pk), "That is this record"),
        ("abc", "a number such as 1234"),
        ("999999", "no record with that reference that you may see"),
        (str(dup.pk), "Both records have an open missing episode"),
    ]:
        page = client.post(url, {"other_record": typed}).content.decode()
        assert 'id="id_other_record-error"' in page and message in page, typed
        assert 'name="confirm"' not in page
    assert not Person.objects.filter(merged_into__isnull=False).exists()


def test_a_conflict_on_confirming_shows_the_records_again(client, world):
    keep = _person(world)
    dup = _person(world, family="Brenan")
    client.force_login(world.supervisor)
    url = reverse("person_merge", args=[keep.pk])
    stale = {"other_record": dup.pk, "keep_version": keep.version, "duplicate_version": dup.version}
    person_update(
        actor=world.officer,
        person=dup,
        expected_version=dup.version,
        changes={"hair": "Red"},
        supplied_by="X",
    )
    page = client.post(url, {**stale, "confirm": "1", "reason": "Same"}).content.decode()
    assert "Changed by someone else" in page
    assert dup.version == stale["duplicate_version"] + 1  # person_update refreshed it
    assert f'name="duplicate_version" value="{dup.version}"' in page
    assert not Person.objects.filter(merged_into__isnull=False).exists()
    # Confirming again, at the versions now shown, merges.
    response = client.post(url, {**stale, "duplicate_version": dup.version, "confirm": "1", "reason": "Same"})
    assert response.status_code == 302
    dup.refresh_from_db()
    assert dup.merged_into_id == keep.pk


def test_the_api_shows_a_merged_record_and_where_it_went(client, world):
    keep = _person(world)
    dup = _person(world, family="Brenan")
    _merge(world, keep, dup)
    from homeward.identity.api_tokens import api_token_issue

    _, token = api_token_issue(actor=world.officer, name="tests")
    headers = {"Authorization": f"Bearer {token}"}
    body = client.get(f"/api/v1/people/{dup.pk}", headers=headers).json()
    assert body["merged_into_id"] == keep.pk
    assert client.get(f"/api/v1/people/{keep.pk}", headers=headers).json()["merged_into_id"] is None


def test_old_links_still_resolve_for_those_who_may_follow_them(client, world):
    from homeward.people.selectors import people_visible_to, person_for

    # A child missing in North: Council B (the partner) sees her through that episode.
    keep = _person(world, date_of_birth=dt.date(2012, 1, 1))
    dup = _person(world, family="Brenan", date_of_birth=dt.date(2012, 1, 1))
    episode(world, dup, utc(2025, 1, 2))
    _merge(world, keep, dup)
    # Lists and searches leave the tombstone out; reading it by id still works.
    assert list(people_visible_to(world.officer)) == [keep]
    assert person_for(actor=world.officer, pk=dup.pk) == dup
    client.force_login(world.partner)
    assert client.get(reverse("person_detail", args=[dup.pk])).status_code == 200
    client.force_login(world.outsider)
    assert client.get(reverse("person_detail", args=[dup.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_report_racing_a_merge_never_lands_on_the_tombstone(world):
    """Real connections in two threads: on PostgreSQL the report waits on the row the merge claimed;
    SQLite serialises the two. Either way the new episode ends on the kept record or is refused."""
    import threading

    from django.db import connections

    from homeward.episodes.actions import ReportData, episode_report

    keep = _person(world)
    dup = _person(world, family="Brenan")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    data = ReportData(
        reporting_person_name="Carer",
        reporting_person_relationship="Carer",
        last_seen_at=timezone.now() - dt.timedelta(hours=1),
        last_seen_place="Home",
        circumstances="Did not come home",
        district=world.north,
        missing_from_address="1 Road",
        missing_from_category="private_home",
    )

    def run(what):
        try:
            barrier.wait(timeout=10)
            if what == "merge":
                _merge(world, keep, dup, keep_version=1, dup_version=1)
            else:
                episode_report(actor=world.call_handler, person=dup, data=data)
            outcomes.append(f"{what} saved")
        except (InvalidInput, EditConflict):
            outcomes.append(f"{what} refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(w,)) for w in ("merge", "report")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert "merge saved" in outcomes
    assert not Episode.objects.filter(person=dup).exists()
    assert Episode.objects.filter(person=keep).count() == (1 if "report saved" in outcomes else 0)
