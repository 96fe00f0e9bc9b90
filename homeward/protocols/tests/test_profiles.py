"""Keeping part 1 current: create, edit (version-checked), review, photos and staleness — over HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from homeward.audit.models import AuditEvent, Operation
from homeward.episodes.tests.factories import make_adult, report
from homeward.errors import InvalidInput
from homeward.people.models import PersonPhoto
from homeward.protocols import actions
from homeward.protocols.models import ProfileEvent, ProtocolProfile
from homeward.protocols.selectors import profile_row
from homeward.protocols.tests.helpers import login, make_extra, make_profile, png, ruby_at_oak_house

pytestmark = pytest.mark.django_db


def part1_post(**overrides: str) -> dict[str, str]:
    data = {
        "scheme": "philomena",
        "description": "Usually wears a red hoodie; Yorkshire accent",
        "associates": "Jade Brook (best friend)",
        "places_frequented": "Northtown bus station",
        "medical": "Asthma: blue inhaler",
        "phones": "07700 900123",
    }
    data.update(overrides)
    return data


def test_care_staff_finds_resident_and_creates_profile(client, world):
    ruby = ruby_at_oak_house(world)
    login(client, world.care_staff)
    page = client.get(reverse("protocols:new"))
    assert page.status_code == 200
    assert f'data-person="{ruby.pk}"' in page.content.decode()

    # Search reaches residents too, although no episode has made Ruby visible to the provider yet.
    found = client.post(reverse("protocols:new"), {"given_name": "Rubi", "family_name": "Hartley"})
    assert f'data-person="{ruby.pk}"' in found.content.decode()

    response = client.post(reverse("protocols:create", args=[ruby.pk]), part1_post())
    profile = ProtocolProfile.objects.get(person=ruby)
    assert response.status_code == 302 and response["Location"] == reverse(
        "protocols:detail", args=[profile.pk]
    )
    assert profile.holder == world.provider_b and profile.active
    assert profile.medical == "Asthma: blue inhaler" and profile.scheme == "philomena"
    assert profile.last_reviewed_on == timezone.localdate() and profile.version == 1
    assert AuditEvent.objects.filter(event_type="profile.created", object_ids=[str(profile.pk)]).exists()

    detail = client.get(reverse("protocols:detail", args=[profile.pk]))
    body = detail.content.decode()
    assert "Asthma: blue inhaler" in body and "Care Provider B" in body
    assert AuditEvent.objects.filter(
        event_type="profile.viewed", operation=Operation.CONSULTATION, actor_user_id=world.care_staff.pk
    ).exists()
    # Once it exists the resident drops off the "without a profile" list.
    assert f'data-person="{ruby.pk}"' not in client.get(reverse("protocols:new")).content.decode()


def test_only_keepers_create_and_only_for_people_they_look_after(client, world):
    stranger = make_adult(world)  # a force record with no link to Care Provider B
    login(client, world.care_staff)
    assert client.get(reverse("protocols:create", args=[stranger.pk])).status_code == 404
    assert client.post(reverse("protocols:create", args=[stranger.pk]), part1_post()).status_code == 404
    client.logout()
    login(client, world.call_handler)  # the police do not hold profiles
    assert client.get(reverse("protocols:new")).status_code == 403
    assert client.post(reverse("protocols:create", args=[stranger.pk]), part1_post()).status_code == 403
    assert not ProtocolProfile.objects.exists()


def test_second_active_profile_is_refused(world):
    profile = make_profile(world)
    with pytest.raises(InvalidInput) as exc:
        actions.profile_create(actor=world.care_staff, person=profile.person, scheme="philomena", part1={})
    assert "already has a current profile" in exc.value.errors["person"]


def test_edit_part1_saves_and_records_history(client, world):
    profile = make_profile(world)
    login(client, world.care_staff)
    form = client.get(reverse("protocols:edit", args=[profile.pk]))
    assert "Jade Brook" in form.content.decode()
    response = client.post(
        reverse("protocols:edit", args=[profile.pk]),
        part1_post(version=str(profile.version), medical="Asthma; now also on sertraline 50mg"),
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.medical == "Asthma; now also on sertraline 50mg" and profile.version == 2
    assert profile.updated_by == world.care_staff
    event = ProfileEvent.objects.get(profile=profile, version=2)
    assert "medical conditions" in event.summary
    audit = AuditEvent.objects.get(event_type="profile.updated")
    assert "medical" in audit.changed_fields and audit.operation == Operation.ALTERATION


def test_bad_edit_keeps_what_was_typed_and_writes_nothing(client, world):
    profile = make_profile(world)
    login(client, world.care_staff)
    response = client.post(
        reverse("protocols:edit", args=[profile.pk]),
        part1_post(version=str(profile.version), scheme="neither", routines="Distinctive routine text"),
    )
    body = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in body
    assert "Distinctive routine text" in body
    profile.refresh_from_db()
    assert profile.version == 1 and profile.routines == ""


def test_concurrent_part1_edits_conflict_instead_of_overwriting(client, world):
    extra = make_extra(world)
    profile = make_profile(world)
    login(client, world.care_staff)
    loaded_version = profile.version
    # A colleague saves first, from the version both of them opened.
    actions.profile_update(
        actor=extra.care_b2,
        profile=profile,
        expected_version=loaded_version,
        changes={"phones": "07700 900999 (new phone)"},
    )
    response = client.post(
        reverse("protocols:edit", args=[profile.pk]),
        part1_post(version=str(loaded_version), phones="07700 900123", transport="Typed during the race"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Changed by someone else" in body and "phone numbers and handsets" in body.lower()
    assert "Typed during the race" in body  # nothing the user typed is lost
    profile.refresh_from_db()
    assert profile.phones == "07700 900999 (new phone)" and profile.transport == ""
    # The form now carries the current version: submitting again deliberately saves on top.
    assert f'value="{profile.version}"' in body
    again = client.post(
        reverse("protocols:edit", args=[profile.pk]),
        part1_post(version=str(profile.version), phones="07700 900123", transport="Typed during the race"),
    )
    assert again.status_code == 302
    profile.refresh_from_db()
    assert profile.transport == "Typed during the race" and profile.version == 3


def test_mass_assignment_changes_nothing_but_part1(client, world):
    extra = make_extra(world)
    profile = make_profile(world)
    other = make_adult(world)
    reviewed = profile.last_reviewed_on
    login(client, world.care_staff)
    response = client.post(
        reverse("protocols:edit", args=[profile.pk]),
        {
            **part1_post(version=str(profile.version), routines="School 8:30-3:15"),
            "holder": str(extra.provider_d.pk),
            "holder_id": str(extra.provider_d.pk),
            "holder_name": "Someone else",
            "person": str(other.pk),
            "person_id": str(other.pk),
            "active": "",
            "last_reviewed_on": "2001-01-01",
            "photo": "1",
        },
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.routines == "School 8:30-3:15"
    assert profile.holder == world.provider_b and profile.holder_name == ""
    assert profile.person_id != other.pk and profile.active
    assert profile.last_reviewed_on == reviewed and profile.photo is None
    assert profile.version == 2  # moved on by the save, not set from the form

    # The action itself refuses fields outside part 1 too (the API will call it).
    with pytest.raises(InvalidInput):
        actions.profile_update(
            actor=world.care_staff, profile=profile, expected_version=2, changes={"holder": extra.provider_d}
        )


def test_create_ignores_posted_holder(client, world):
    extra = make_extra(world)
    ruby = ruby_at_oak_house(world)
    login(client, world.care_staff)
    client.post(
        reverse("protocols:create", args=[ruby.pk]),
        {**part1_post(), "holder": str(extra.provider_d.pk), "version": "50", "active": ""},
    )
    profile = ProtocolProfile.objects.get(person=ruby)
    assert profile.holder == world.provider_b and profile.version == 1 and profile.active


def test_only_the_holder_edits(client, world):
    extra = make_extra(world)
    profile = make_profile(world)
    report(world, profile.person)  # missing now, so the police may read it
    for user in (world.call_handler, world.partner):  # they may read it, not change it
        client.logout()
        login(client, user)
        assert client.get(reverse("protocols:detail", args=[profile.pk])).status_code == 200
        assert (
            client.post(reverse("protocols:edit", args=[profile.pk]), part1_post(version="1")).status_code
            == 403
        )
    client.logout()
    login(client, extra.care_d)  # another provider does not even see it
    assert client.get(reverse("protocols:edit", args=[profile.pk])).status_code == 404
    profile.refresh_from_db()
    assert profile.version == 1


@pytest.mark.parametrize("photo_age, stale", [(31, True), (30, False)])
def test_photo_staleness_uses_the_setting(world, settings, photo_age, stale):
    settings.HOMEWARD_PROFILE_PHOTO_STALE_DAYS = 30
    profile = make_profile(world)
    today = timezone.localdate()
    actions.profile_photo_add(
        actor=world.care_staff, profile=profile, upload=png(), taken_on=today - dt.timedelta(days=photo_age)
    )
    profile.refresh_from_db()
    row = profile_row(profile, today)
    assert row.photo_stale is stale and row.photo_age_days == photo_age
    assert row.review_overdue is False
    assert any("Photo is 31 days old" in w for w in row.warnings) is stale


def test_no_photo_and_never_reviewed_are_warnings(world):
    profile = make_profile(world)
    ProtocolProfile.objects.filter(pk=profile.pk).update(last_reviewed_on=None)
    profile.refresh_from_db()
    row = profile_row(profile)
    assert row.stale and row.photo is None
    assert row.warnings == [
        "No photo on the profile: add a recent one",
        "Never reviewed: check every section is current",
    ]


def test_stale_warnings_on_list_and_profile_then_cleared_by_photo_and_review(client, world, settings):
    settings.HOMEWARD_PROFILE_PHOTO_STALE_DAYS = 100
    settings.HOMEWARD_PROFILE_REVIEW_DAYS = 20
    profile = make_profile(world)
    today = timezone.localdate()
    actions.profile_photo_add(
        actor=world.care_staff, profile=profile, upload=png(), taken_on=today - dt.timedelta(days=150)
    )
    ProtocolProfile.objects.filter(pk=profile.pk).update(last_reviewed_on=today - dt.timedelta(days=21))
    login(client, world.care_staff)

    listing = client.get(reverse("protocols:list")).content.decode()
    assert "Needs updating" in listing and "Review overdue" in listing and "Photo out of date" in listing
    detail = client.get(reverse("protocols:detail", args=[profile.pk])).content.decode()
    assert "This profile may be out of date" in detail
    assert "Photo is 150 days old" in detail and "more than 20 days ago" in detail
    stale_only = client.get(reverse("protocols:list"), {"stale": "1"}).content.decode()
    assert f'data-profile="{profile.pk}"' in stale_only

    # A new photo through the page, then a review: the warnings go.
    upload = client.post(
        reverse("protocols:photo_add", args=[profile.pk]),
        {"image": png(), "taken_on": today.isoformat(), "caption": "At Oak House"},
    )
    assert upload.status_code == 302
    profile.refresh_from_db()
    assert profile.photo is not None and profile.photo.taken_on == today
    assert profile.photo.supplied_by.startswith("Care Provider B")
    review = client.post(reverse("protocols:review", args=[profile.pk]), {"version": profile.version})
    assert review.status_code == 302
    profile.refresh_from_db()
    assert profile.last_reviewed_on == today and profile.last_reviewed_by == world.care_staff
    listing = client.get(reverse("protocols:list")).content.decode()
    assert "Up to date" in listing and "Needs updating" not in listing
    assert (
        f'data-profile="{profile.pk}"'
        not in client.get(reverse("protocols:list"), {"stale": "1"}).content.decode()
    )


def test_review_of_a_version_someone_changed_is_refused(client, world):
    extra = make_extra(world)
    profile = make_profile(world)
    old = timezone.localdate() - dt.timedelta(days=200)
    ProtocolProfile.objects.filter(pk=profile.pk).update(last_reviewed_on=old)
    actions.profile_update(
        actor=extra.care_b2, profile=profile, expected_version=1, changes={"routines": "Changed meanwhile"}
    )
    login(client, world.care_staff)
    response = client.post(reverse("protocols:review", args=[profile.pk]), {"version": "1"}, follow=True)
    assert "check it, then mark it reviewed again" in response.content.decode()
    profile.refresh_from_db()
    assert profile.last_reviewed_on == old


def test_photo_upload_checks_the_bytes_and_is_served_only_to_those_who_see_the_profile(client, world):
    extra = make_extra(world)
    profile = make_profile(world)
    login(client, world.care_staff)
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.png", b"<script>not an image</script>", content_type="image/png")
    response = client.post(
        reverse("protocols:photo_add", args=[profile.pk]),
        {"image": fake, "taken_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200 and "must be a JPEG, PNG or WebP image" in response.content.decode()
    assert not PersonPhoto.objects.exists()
    actions.profile_photo_add(
        actor=world.care_staff, profile=profile, upload=png(), taken_on=timezone.localdate()
    )
    served = client.get(reverse("protocols:photo", args=[profile.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")
    assert served["Content-Disposition"].startswith("attachment;")
    assert "no-store" in served["Cache-Control"]
    for user in (extra.care_d, world.outsider):
        client.logout()
        login(client, user)
        assert client.get(reverse("protocols:photo", args=[profile.pk])).status_code == 404


def test_close_profile(client, world):
    profile = make_profile(world)
    login(client, world.care_staff)
    response = client.post(
        reverse("protocols:close", args=[profile.pk]),
        {"version": profile.version, "reason": "Turned 18, left care"},
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert not profile.active and profile.closed_reason == "Turned 18, left care"
    # Closed profiles stay readable for the history but cannot be changed.
    assert client.get(reverse("protocols:edit", args=[profile.pk])).status_code == 403
    assert (
        "This profile is closed"
        in client.get(reverse("protocols:detail", args=[profile.pk])).content.decode()
    )


def test_stale_filter_matches_the_staleness_rule(world, settings):
    """The list's SQL filter and profile_row agree, for the chosen photo and the person's latest one."""
    from homeward.protocols.selectors import profiles_for

    settings.HOMEWARD_PROFILE_PHOTO_STALE_DAYS = 30
    settings.HOMEWARD_PROFILE_REVIEW_DAYS = 30
    today = timezone.localdate()
    fresh = make_profile(world)
    actions.profile_photo_add(actor=world.care_staff, profile=fresh, upload=png(), taken_on=today)
    old_photo = make_profile(world, person=_resident(world, "Amy", "Stone"))
    actions.profile_photo_add(
        actor=world.care_staff, profile=old_photo, upload=png(), taken_on=today - dt.timedelta(days=31)
    )
    old_review = make_profile(world, person=_resident(world, "Ben", "Cole"))
    actions.profile_photo_add(actor=world.care_staff, profile=old_review, upload=png(), taken_on=today)
    ProtocolProfile.objects.filter(pk=old_review.pk).update(last_reviewed_on=today - dt.timedelta(days=31))
    no_photo = make_profile(world, person=_resident(world, "Cal", "Dunn"))

    rows = profiles_for(actor=world.care_staff, stale_only=True)
    assert {r.profile.pk for r in rows} == {old_photo.pk, old_review.pk, no_photo.pk}
    assert all(r.stale for r in rows)
    everything = profiles_for(actor=world.care_staff)
    assert {r.profile.pk for r in everything if not r.stale} == {fresh.pk}
    # Never-reviewed and longest-since-review come first.
    assert everything[0].profile.pk == old_review.pk


def test_pages_render_for_close_and_withdraw(client, world):
    from homeward.protocols.tests.helpers import submit_report

    profile = make_profile(world)
    part2 = submit_report(world, profile)
    login(client, world.care_staff)
    close = client.get(reverse("protocols:close", args=[profile.pk]))
    assert close.status_code == 200 and "Why is the profile no longer needed?" in close.content.decode()
    withdraw = client.get(reverse("protocols:report_withdraw", args=[part2.pk]))
    assert withdraw.status_code == 200 and "Why are you withdrawing it?" in withdraw.content.decode()
    refused = client.post(reverse("protocols:report_withdraw", args=[part2.pk]), {"reason": ""})
    assert "govuk-error-summary" in refused.content.decode()


def _resident(world, given: str, family: str):
    from homeward.people.actions import PersonData, person_address_add, person_create

    person = person_create(
        actor=world.call_handler,
        data=PersonData(given_name=given, family_name=family, date_of_birth=dt.date(2011, 1, 1)),
        supplied_by="Council B",
    )
    person_address_add(
        actor=world.call_handler,
        person=person,
        since=timezone.localdate() - dt.timedelta(days=10),
        supplied_by="Council B",
        location=world.oak_house,
    )
    return person
