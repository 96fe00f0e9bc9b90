"""Locality risk assessments: who records them, who sees them, history, review dates, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from homeward.audit.models import AuditEvent
from homeward.conftest import make_user
from homeward.errors import InvalidInput, NotAllowed
from homeward.identity.models import Organisation, OrganisationKind
from homeward.identity.roles import Role
from homeward.places.actions import locality_assessment_record, may_assess_locality
from homeward.places.models import LocalityRiskAssessment, Location, LocationCategory
from homeward.places.selectors import locality_assessments_for

pytestmark = pytest.mark.django_db


def url(location: Location) -> str:
    return reverse("locality_assessment_new", args=[location.pk])


def good(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "outcome": "suitable_with_conditions",
        "assessed_on": timezone.localdate().isoformat(),
        "risks": ["transport_hub", "county_lines"],
        "reasons": "Station five minutes away; county lines arrests on the estate.",
        "conditions": "Staff walk residents to the bus after dark.",
    }
    data.update(overrides)
    return data


def record(world, location=None, *, days_ago: int = 0, outcome: str = "suitable", **extra):
    return locality_assessment_record(
        actor=world.care_staff,
        location=location or world.oak_house,
        outcome=outcome,
        assessed_on=timezone.localdate() - dt.timedelta(days=days_ago),
        reasons=extra.pop("reasons", "Quiet street, no intelligence of exploitation nearby."),
        **extra,
    )


@pytest.fixture
def coordinator(world):
    return make_user("cole_coordinator", world.force, Role.MFH_COORDINATOR, world.north)


@pytest.fixture
def other_force_coordinator(world):
    force_b = Organisation.objects.create(name="Force B Police", kind=OrganisationKind.POLICE_FORCE)
    force_b.force = force_b
    force_b.save()
    return make_user("fay_coordinator", force_b, Role.MFH_COORDINATOR)


def home(world, name: str, *, district=None, provider=None, category=LocationCategory.CHILDRENS_HOME):
    return Location.objects.create(
        name=name, category=category, force=world.force, district=district or world.north, provider=provider
    )


# --- Recording ------------------------------------------------------------------------------------------


def test_care_staff_record_an_assessment_for_their_home_with_an_audit_event(client, world):
    client.force_login(world.care_staff)
    assert client.get(url(world.oak_house)).status_code == 200
    response = client.post(url(world.oak_house), good())
    assert response.status_code == 302 and response["Location"] == reverse(
        "location_detail", args=[world.oak_house.pk]
    )
    assessment = LocalityRiskAssessment.objects.get()
    assert assessment.location == world.oak_house and assessment.outcome == "suitable_with_conditions"
    assert assessment.assessed_by == world.care_staff and assessment.organisation == world.provider_b
    assert assessment.risks == ["transport_hub", "county_lines"]
    assert assessment.review_due == timezone.localdate() + dt.timedelta(days=365)
    event = AuditEvent.objects.get(event_type="locality_assessment.recorded")
    assert event.object_ids == [str(assessment.pk)] and event.actor_user_id == world.care_staff.pk
    assert event.operation == "collection"


def test_review_interval_comes_from_the_setting_and_can_be_set_by_hand(world, settings):
    settings.HOMEWARD_LOCALITY_REVIEW_DAYS = 90
    assessment = record(world)
    assert assessment.review_due == assessment.assessed_on + dt.timedelta(days=90)
    chosen = timezone.localdate() + dt.timedelta(days=30)
    assert record(world, review_due=chosen).review_due == chosen


def test_the_council_of_the_district_and_the_force_coordinator_may_record(client, world, coordinator):
    for user in (world.partner, coordinator):
        client.force_login(user)
        assert client.post(url(world.oak_house), good()).status_code == 302, user
    assert set(LocalityRiskAssessment.objects.values_list("organisation", flat=True)) == {
        world.council_b.pk,
        world.force.pk,
    }


def test_a_council_may_not_assess_a_home_it_runs_outside_its_districts(client, world):
    south_home = home(world, "South House", district=world.south, provider=world.council_b)
    client.force_login(world.partner)
    # The council sees the home (it runs it) but the district is not one it covers.
    assert client.get(reverse("location_detail", args=[south_home.pk])).status_code == 200
    assert client.get(url(south_home)).status_code == 403
    assert client.post(url(south_home), good()).status_code == 403
    assert not LocalityRiskAssessment.objects.exists()


def test_care_staff_may_not_assess_another_providers_home(client, world):
    other = Organisation.objects.create(
        name="Care Provider X", kind=OrganisationKind.CARE_PROVIDER, force=world.force
    )
    elsewhere = home(world, "Birch House", provider=other)
    client.force_login(world.care_staff)
    assert client.post(url(elsewhere), good()).status_code == 404
    with pytest.raises(NotAllowed):
        record(world, elsewhere)
    assert not LocalityRiskAssessment.objects.exists()


def test_roles_without_the_capability_get_403_and_outsiders_404(client, world, other_force_coordinator):
    for user in (world.officer, world.supervisor, world.commissioner):
        client.force_login(user)
        assert client.get(url(world.oak_house)).status_code == 403, user
        assert client.post(url(world.oak_house), good()).status_code == 403, user
    for user in (world.outsider, other_force_coordinator):
        client.force_login(user)
        assert client.get(url(world.oak_house)).status_code == 404, user
        assert client.post(url(world.oak_house), good()).status_code == 404, user
    client.logout()
    response = client.get(url(world.oak_house))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not LocalityRiskAssessment.objects.exists()


def test_private_homes_have_no_locality_assessment(client, world, coordinator):
    client.force_login(coordinator)
    assert client.post(url(world.family_home), good()).status_code == 403
    page = client.get(reverse("location_detail", args=[world.family_home.pk])).content.decode()
    assert "Locality risk assessment" not in page
    assert not may_assess_locality(coordinator, world.family_home)
    assert may_assess_locality(coordinator, world.oak_house)


# --- Bad input ------------------------------------------------------------------------------------------


def test_conditions_are_required_when_suitable_with_conditions_and_input_is_kept(client, world):
    client.force_login(world.care_staff)
    response = client.post(url(world.oak_house), good(conditions="", reasons="Near the bus station"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_conditions-error"' in body and "Enter the conditions" in body
    assert "Near the bus station" in body and 'value="transport_hub" checked' in body
    assert not LocalityRiskAssessment.objects.exists()
    assert not AuditEvent.objects.filter(event_type="locality_assessment.recorded").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"outcome": ""}, "outcome", "Choose whether the locality is suitable"),
        ({"reasons": "   "}, "reasons", "Enter the reasons"),
        (
            {"assessed_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat()},
            "assessed_on",
            "cannot be in the future",
        ),
        (
            {"review_due": (timezone.localdate() - dt.timedelta(days=1)).isoformat()},
            "review_due",
            "must be after the assessment date",
        ),
        ({"risks": ["other"]}, "other_risks", "Describe the other risks"),
        ({"outcome": "suitable"}, "conditions", "choose that or remove them"),
        ({"assessed_on": "31/02/2025"}, "assessed_on", "valid date"),
    ],
)
def test_bad_input_is_shown_beside_the_field(client, world, overrides, field, message):
    client.force_login(world.care_staff)
    response = client.post(url(world.oak_house), good(**overrides))
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}-error"' in body and message in body
    assert not LocalityRiskAssessment.objects.exists()


def test_the_action_refuses_unknown_risks_and_outcomes(world):
    with pytest.raises(InvalidInput) as exc:
        record(world, outcome="fine", risks=["dragons"])
    assert set(exc.value.errors) == {"outcome", "risks"}


# --- History, review dates and who sees them --------------------------------------------------------------


def test_every_assessment_is_kept_and_the_latest_is_current(client, world):
    old = record(world, days_ago=300, outcome="suitable_with_conditions", conditions="Escort at night")
    new = record(world, days_ago=10, outcome="suitable", reasons="Dealing on the estate has stopped.")
    old.refresh_from_db()
    assert old.outcome == "suitable_with_conditions" and old.conditions == "Escort at night"
    client.force_login(world.officer)
    body = client.get(reverse("location_detail", args=[world.oak_house.pk])).content.decode()
    latest = body.split('id="locality-latest"')[1].split("</dl>")[0]
    assert "Suitable" in latest and "Dealing on the estate has stopped." in latest
    history = body.split('id="locality-history"')[1].split("</table>")[0]
    assert "Escort at night" in history and "Dealing on the estate" not in history
    assert "Overdue for review" not in body
    assert locality_assessments_for(actor=world.officer, location=world.oak_house).latest == new


def test_a_back_dated_entry_does_not_displace_a_newer_assessment(world):
    newer = record(world, days_ago=5, outcome="unsuitable")
    record(world, days_ago=200, outcome="suitable")
    assert locality_assessments_for(actor=world.officer, location=world.oak_house).latest == newer


def test_an_assessment_past_its_review_date_is_overdue_on_the_page_and_the_list(client, world):
    record(world, days_ago=400, outcome="suitable_with_conditions", conditions="Escort at night")
    client.force_login(world.officer)
    body = client.get(reverse("location_detail", args=[world.oak_house.pk])).content.decode()
    assert 'id="locality-overdue"' in body and "Overdue for review" in body
    listing = client.get(reverse("location_list")).content.decode()
    row = listing.split("Oak House")[1].split("</tr>")[0]
    assert "Suitable with conditions" in row and "Review overdue" in row


def test_the_list_shows_each_locations_current_outcome(client, world):
    hostel = home(world, "Mill Hostel", category=LocationCategory.HOSTEL)
    record(world, days_ago=400, outcome="unsuitable")
    record(world, days_ago=3, outcome="suitable")
    client.force_login(world.officer)
    listing = client.get(reverse("location_list")).content.decode()
    oak = listing.split("Oak House")[1].split("</tr>")[0]
    assert "Suitable" in oak and "Unsuitable" not in oak and "Review overdue" not in oak
    assert "Not assessed" in listing.split(hostel.name)[1].split("</tr>")[0]


def test_whoever_sees_the_location_sees_its_assessments_and_it_is_logged(client, world):
    assessment = record(world, reasons="A known adult lives opposite.")
    for user in (world.officer, world.partner, world.care_staff):
        client.force_login(user)
        body = client.get(reverse("location_detail", args=[world.oak_house.pk])).content.decode()
        assert "A known adult lives opposite." in body, user
        event = AuditEvent.objects.filter(event_type="locality_assessment.listed").latest("id")
        assert event.actor_user_id == user.pk and event.object_ids == [str(assessment.pk)]
    # Only roles that may assess see the link to record one.
    client.force_login(world.officer)
    assert (
        url(world.oak_house)
        not in client.get(reverse("location_detail", args=[world.oak_house.pk])).content.decode()
    )
    client.force_login(world.care_staff)
    assert (
        url(world.oak_house)
        in client.get(reverse("location_detail", args=[world.oak_house.pk])).content.decode()
    )


def test_outsiders_see_no_assessment_and_get_404(client, world):
    record(world)
    before = AuditEvent.objects.filter(event_type="locality_assessment.listed").count()
    client.force_login(world.outsider)
    assert client.get(reverse("location_detail", args=[world.oak_house.pk])).status_code == 404
    assert "Oak House" not in client.get(reverse("location_list")).content.decode()
    with pytest.raises(Http404):
        locality_assessments_for(actor=world.outsider, location=world.oak_house)
    with pytest.raises(Http404):
        locality_assessments_for(actor=world.commissioner, location=world.oak_house)
    assert AuditEvent.objects.filter(event_type="locality_assessment.listed").count() == before


def test_a_partner_sees_exactly_the_premises_of_its_area(client, world):
    """Council B sees Oak House (its district); a home in South it neither covers nor runs stays hidden."""
    south_home = home(world, "South House", district=world.south)
    record(world)
    locality_assessment_record(
        actor=make_user("cole_coordinator", world.force, Role.MFH_COORDINATOR),
        location=south_home,
        outcome="suitable",
        assessed_on=timezone.localdate(),
        reasons="Rural, no transport links.",
    )
    client.force_login(world.partner)
    assert client.get(reverse("location_detail", args=[south_home.pk])).status_code == 404
    listing = client.get(reverse("location_list")).content.decode()
    assert "Oak House" in listing and "South House" not in listing
