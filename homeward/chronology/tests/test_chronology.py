"""One chronology per person across agencies, each entry visible only to those the sharing rules allow."""

from __future__ import annotations

import pytest
from django.test import Client

from homeward.audit.models import AuditEvent
from homeward.chronology.selectors import chronology_for
from homeward.conftest import TEST_PASSWORD, make_user
from homeward.episodes.tests.factories import assess, find, make_ruby, report
from homeward.identity.models import Organisation, OrganisationKind
from homeward.identity.roles import Role
from homeward.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def ruby_found(world):
    Organisation.objects.create(
        name="Return Interview Service A", kind=OrganisationKind.RHI_SERVICE, force=world.force
    )
    episode = find(world, assess(world, report(world, make_ruby(world))))
    return episode


def kinds(user, person, **kw) -> list[str]:
    return [line.entry.kind for line in chronology_for(actor=user, person=person, **kw)]


def test_police_see_the_whole_story_newest_first(world, ruby_found):
    lines = chronology_for(actor=world.officer, person=ruby_found.person)
    seen = [line.entry.kind for line in lines]
    for kind in ("Reported missing", "Risk graded", "Found", "Partner told", "Return interview referral"):
        assert kind in seen, kind
    times = [line.entry.at for line in lines]
    assert times == sorted(times, reverse=True)
    told = {n.recipient.name for n in Notification.objects.filter(episode=ruby_found)}
    shown = " ".join(line.entry.summary for line in lines if line.entry.kind == "Partner told")
    assert told and all(name in shown for name in told)


def test_a_partner_sees_only_what_its_rules_give_it(world, ruby_found):
    council = chronology_for(actor=world.partner, person=ruby_found.person)
    partner_told = [line.entry.summary for line in council if line.entry.kind == "Partner told"]
    # Council B sees the notifications sent to it, not the ones sent to Oak House's provider.
    assert partner_told and all(world.council_b.name in s for s in partner_told)
    assert "Reported missing" in [line.entry.kind for line in council]
    carer = kinds(world.care_staff, ruby_found.person)
    assert "Reported missing" in carer
    # Care providers follow the interviews of episodes they see, at their field level.
    assert "Return interview referral" in carer
    carer_told = [
        line.entry.summary
        for line in chronology_for(actor=world.care_staff, person=ruby_found.person)
        if line.entry.kind == "Partner told"
    ]
    assert all(world.provider_b.name in s for s in carer_told)


def test_an_outsider_gets_404_and_roles_without_casework_see_nothing(world, ruby_found):
    client = Client()
    client.login(username=world.outsider.username, password=TEST_PASSWORD)
    assert client.get(f"/chronology/people/{ruby_found.person_id}/").status_code == 404
    auditor = make_user("audrey_auditor", world.force, Role.AUDITOR)
    assert kinds(auditor, ruby_found.person) == []
    assert kinds(world.commissioner, ruby_found.person) == []


def test_the_page_is_logged_once_with_every_record_shown(world, ruby_found):
    client = Client()
    client.login(username=world.officer.username, password=TEST_PASSWORD)
    before = AuditEvent.objects.filter(event_type="chronology.viewed").count()
    page = client.get(f"/chronology/people/{ruby_found.person_id}/")
    assert page.status_code == 200
    assert b'data-source="episodes"' in page.content
    events = AuditEvent.objects.filter(event_type="chronology.viewed")
    assert events.count() == before + 1
    ids = events.last().object_ids
    assert f"episodes.episode:{ruby_found.pk}" in ids
    assert f"people.person:{ruby_found.person_id}" in ids


def test_the_source_filter_narrows_the_list(world, ruby_found):
    client = Client()
    client.login(username=world.officer.username, password=TEST_PASSWORD)
    page = client.get(f"/chronology/people/{ruby_found.person_id}/?source=notifications&source=bogus")
    assert page.status_code == 200
    assert b'data-source="notifications"' in page.content
    assert b'data-source="episodes"' not in page.content


def test_plans_and_family_contacts_join_the_chronology_for_those_allowed(world, ruby_found):
    from django.utils import timezone

    from homeward.families.actions import ContactData, family_contact_log
    from homeward.prevention.tests.helpers import plan_for

    coordinator = make_user("cleo_coordinator", world.force, Role.MFH_COORDINATOR)
    plan_for(coordinator, person=ruby_found.person)
    family_contact_log(
        actor=world.officer,
        episode=ruby_found,
        data=ContactData(
            contacted_at=timezone.now(),
            contact_name="Mrs Hartley",
            relationship="Mother",
            method="phone",
            direction="outbound",
            summary="Told her Ruby is safe; gave the Missing People helpline number.",
        ),
    )
    police = {line.source for line in chronology_for(actor=world.officer, person=ruby_found.person)}
    assert {"prevention", "families"} <= police
    council = {line.source for line in chronology_for(actor=world.partner, person=ruby_found.person)}
    assert {"prevention", "families"} <= council  # Council B places Ruby and works with her family
    carer = {line.source for line in chronology_for(actor=world.care_staff, person=ruby_found.person)}
    assert "families" not in carer  # care providers do not read the family log
