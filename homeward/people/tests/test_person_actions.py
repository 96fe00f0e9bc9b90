from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from homeward.audit.models import AuditEvent
from homeward.errors import InvalidInput, NotAllowed
from homeward.people.actions import PersonData, person_create, person_marker_add
from homeward.people.models import Person, PersonSearchKey
from homeward.people.selectors import people_visible_to, person_for

pytestmark = pytest.mark.django_db


def test_create_records_sources_aliases_markers_keys_and_audit(world):
    person = person_create(
        actor=world.call_handler,
        data=PersonData(
            given_name=" Ruby ",
            family_name="Hartley",
            date_of_birth=dt.date(2011, 3, 4),
            sex="female",
            aliases=[("Rubes", "Hart")],
            markers=["cse", "cse", "self_harm"],
        ),
        supplied_by="Oak House manager",
    )
    assert person.given_name == "Ruby" and person.force == world.force and person.owner == world.force
    assert person.fact_sources["date_of_birth"]["by"] == "Oak House manager"
    assert person.fact_sources["sex"]["recorded_by"] == world.call_handler.pk
    assert "ethnicity" not in person.fact_sources  # not stated: nothing was supplied
    assert [str(a) for a in person.aliases.all()] == ["Rubes Hart"]
    assert sorted(person.markers.values_list("marker", flat=True)) == ["cse", "self_harm"]
    assert PersonSearchKey.objects.filter(person=person).exists()
    assert AuditEvent.objects.filter(event_type="person.created", object_ids=[str(person.pk)]).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"given_name": " "}, "given_name"),
        ({"family_name": ""}, "family_name"),
        ({"date_of_birth": timezone.localdate() + dt.timedelta(days=1)}, "date_of_birth"),
        ({"estimated_age": 150}, "estimated_age"),
        ({"sex": "robot"}, "sex"),
        ({"markers": ["not-a-marker"]}, "markers"),
        ({"looked_after": True}, "placing_authority"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(world, overrides, field):
    data = PersonData(given_name="Ann", family_name="Lee")
    for key, value in overrides.items():
        setattr(data, key, value)
    with pytest.raises(InvalidInput) as excinfo:
        person_create(actor=world.call_handler, data=data, supplied_by="x")
    assert field in excinfo.value.errors
    assert Person.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_partner_cannot_create_people(world):
    with pytest.raises(NotAllowed):
        person_create(actor=world.partner, data=PersonData(given_name="A", family_name="B"), supplied_by="x")


def test_estimated_age_ages_with_time(world):
    person = person_create(
        actor=world.call_handler,
        data=PersonData(given_name="Unknown", family_name="Male", estimated_age=30),
        supplied_by="Officer estimate",
    )
    assert person.estimated_age_on == timezone.localdate()
    assert person.age_on(timezone.localdate() + dt.timedelta(days=365 * 2 + 1)) == 32


def test_marker_add_is_audited_and_keeps_the_first_source(world):
    person = person_create(
        actor=world.call_handler, data=PersonData(given_name="A", family_name="B"), supplied_by="x"
    )
    person_marker_add(
        actor=world.officer, person=person, marker="cce", detail="County lines", supplied_by="PND"
    )
    with pytest.raises(InvalidInput, match="already on the record"):
        person_marker_add(
            actor=world.supervisor, person=person, marker="cce", detail="Other", supplied_by="Social worker"
        )
    marker = person.markers.get()
    assert (marker.detail, marker.supplied_by, marker.recorded_by) == ("County lines", "PND", world.officer)
    assert AuditEvent.objects.filter(event_type="person.marker_added").count() == 1


def test_people_are_scoped_to_the_organisation(world):
    person = person_create(
        actor=world.call_handler, data=PersonData(given_name="A", family_name="B"), supplied_by="x"
    )
    assert person in people_visible_to(world.officer)
    assert person not in people_visible_to(world.outsider)
    assert person not in people_visible_to(world.commissioner)
    from django.http import Http404

    with pytest.raises(Http404):
        person_for(actor=world.outsider, pk=person.pk)
