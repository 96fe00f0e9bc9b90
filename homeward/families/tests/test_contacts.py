"""The family contact log: who adds, who reads, append-only corrections, bad input, the chronology."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from homeward.audit.models import AuditEvent
from homeward.conftest import make_user
from homeward.episodes.tests.factories import make_adult, make_ruby, report
from homeward.errors import InvalidInput, NotAllowed
from homeward.families.actions import ContactData, family_contact_log
from homeward.families.models import FamilyContact
from homeward.families.selectors import chronology_entries_for, family_contacts_for_episode
from homeward.identity.models import Organisation, OrganisationKind
from homeward.identity.roles import Role

pytestmark = pytest.mark.django_db

FMT = "%Y-%m-%dT%H:%M"


def local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime(FMT)


def url(episode, **query: object) -> str:
    base = reverse("families:contact_new", args=[episode.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def panel(user, episode) -> str:
    """The episode page's family contact panel as `user` sees it."""
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load families_tags %}{% families_episode_panel episode %}").render(
        Context({"request": request, "episode": episode})
    )


def good(**overrides: object) -> dict[str, object]:
    now = timezone.now()
    data: dict[str, object] = {
        "contacted_at": local(now - dt.timedelta(hours=1)),
        "contact_name": "Dawn Hartley",
        "relationship": "Mother",
        "method": "phone",
        "direction": "outbound",
        "summary": "Updated Dawn on the search; she gave two friends' names.",
        "signposted": "yes",
        "signposted_to": ["missing_people", "early_help"],
        "signposted_at": local(now - dt.timedelta(minutes=50)),
    }
    data.update(overrides)
    return data


def log(
    world, episode, *, signposted: bool = True, hours_ago: float = 1, actor=None, **extra
) -> FamilyContact:
    at = timezone.now() - dt.timedelta(hours=hours_ago)
    data = ContactData(
        contacted_at=at,
        contact_name=extra.pop("contact_name", "Dawn Hartley"),
        relationship="Mother",
        method="phone",
        direction="outbound",
        summary=extra.pop("summary", "Update given."),
        signposted=signposted,
        signposted_to=["missing_people"] if signposted else [],
        signposted_at=at + dt.timedelta(minutes=5) if signposted else None,
    )
    return family_contact_log(actor=actor or world.officer, episode=episode, data=data, **extra)


@pytest.fixture
def episode(world):
    # Ruby: looked after by Council B, missing from Oak House (Care Provider B) in North (Council B).
    return report(world, make_ruby(world))


@pytest.fixture
def analyst(world):
    return make_user("ann_analyst", world.force, Role.ANALYST)


@pytest.fixture
def other_force_officer(world):
    force_b = Organisation.objects.create(name="Force B Police", kind=OrganisationKind.POLICE_FORCE)
    force_b.force = force_b
    force_b.save()
    return make_user("fred_officer", force_b, Role.OFFICER)


# --- Adding entries -------------------------------------------------------------------------------------


def test_an_officer_logs_a_contact_with_signposting_and_an_audit_event(client, world, episode):
    client.force_login(world.officer)
    assert client.get(url(episode)).status_code == 200
    response = client.post(url(episode), good())
    assert response.status_code == 302
    assert response["Location"] == reverse("episode_detail", args=[episode.pk]) + "#family-contacts"
    contact = FamilyContact.objects.get()
    assert contact.episode == episode and contact.contact_name == "Dawn Hartley"
    assert contact.signposted and contact.signposted_to == ["missing_people", "early_help"]
    assert contact.signposted_at is not None and contact.recorded_by == world.officer
    assert contact.organisation == world.force and contact.corrects is None
    event = AuditEvent.objects.get(event_type="family_contact.logged")
    assert event.object_ids == [str(contact.pk)] and event.actor_user_id == world.officer.pk


def test_a_contact_without_signposting_keeps_no_services_or_time(client, world, episode):
    client.force_login(world.call_handler)
    data = good(signposted="no", signposted_to=[], signposted_at="")
    assert client.post(url(episode), data).status_code == 302
    contact = FamilyContact.objects.get()
    assert not contact.signposted and contact.signposted_to == [] and contact.signposted_at is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"signposted_to": [], "signposted_at": ""}, "signposted_to", "Choose the support"),
        ({"signposted_at": ""}, "signposted_at", "Enter when they were signposted"),
        ({"signposted": "no", "signposted_at": ""}, "signposted_to", "Answer yes to signposting"),
        ({"signposted": "no", "signposted_to": []}, "signposted_at", "or remove the time"),
        ({"signposted_to": ["other"]}, "signposted_other", "Name the other support service"),
        ({"contact_name": ""}, "contact_name", "Enter the name of the person contacted"),
        ({"method": "pigeon"}, "method", "Select a valid choice"),
        ({"signposted": ""}, "signposted", "Answer whether they were signposted"),
        (
            {
                "contacted_at": local(timezone.now() + dt.timedelta(days=1)),
                "signposted": "no",
                "signposted_to": [],
                "signposted_at": "",
            },
            "contacted_at",
            "cannot be in the future",
        ),
        (
            {"signposted_at": local(timezone.now() - dt.timedelta(hours=3))},
            "signposted_at",
            "not before it",
        ),
    ],
)
def test_bad_input_is_shown_beside_the_field_and_kept(client, world, episode, overrides, field, message):
    client.force_login(world.officer)
    response = client.post(url(episode), good(summary="She mentioned a boyfriend called Jay.", **overrides))
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}-error"' in body and message in body
    assert "She mentioned a boyfriend called Jay." in body and 'value="Mother"' in body
    assert not FamilyContact.objects.exists()
    assert not AuditEvent.objects.filter(event_type__startswith="family_contact.").exists()


# --- Append-only and corrections ------------------------------------------------------------------------


def test_a_correction_is_a_new_entry_and_the_original_is_kept(client, world, episode):
    original = log(world, episode, signposted=True, contact_name="Dawn Hartly")
    client.force_login(world.officer)
    form = client.get(url(episode, corrects=original.pk)).content.decode()
    assert 'value="Dawn Hartly"' in form and f'value="{original.pk}"' in form
    response = client.post(
        url(episode), good(corrects=original.pk, signposted="no", signposted_to=[], signposted_at="")
    )
    assert response.status_code == 302
    correction = FamilyContact.objects.exclude(pk=original.pk).get()
    assert correction.corrects == original and correction.contact_name == "Dawn Hartley"
    original.refresh_from_db()
    assert original.contact_name == "Dawn Hartly" and original.signposted
    event = AuditEvent.objects.get(event_type="family_contact.corrected")
    assert event.object_ids == [str(correction.pk), str(original.pk)]
    html = panel(world.officer, episode)
    assert "Dawn Hartly" in html and "Corrected" in html and "Correction" in html
    # The corrected entry no longer counts: the family was not signposted after all.
    assert "<strong>0</strong> signposted" in html and "1 contact;" in html
    # Only the standing entry offers a correction.
    assert f"?corrects={correction.pk}" in html and f"?corrects={original.pk}" not in html


def test_an_entry_is_corrected_once_then_the_correction_is_corrected(world, episode):
    original = log(world, episode)
    first = log(world, episode, corrects=original)
    with pytest.raises(InvalidInput) as exc:
        log(world, episode, corrects=original)
    assert "already been corrected" in exc.value.errors["corrects"]
    assert log(world, episode, corrects=first).corrects == first
    assert FamilyContact.objects.count() == 3


def test_a_second_correction_through_the_page_is_refused_beside_the_form(client, world, episode):
    original = log(world, episode)
    log(world, episode, corrects=original)
    client.force_login(world.officer)
    response = client.post(url(episode), good(corrects=original.pk))
    assert response.status_code == 200 and "already been corrected" in response.content.decode()
    assert FamilyContact.objects.count() == 2


def test_an_entry_of_another_episode_cannot_be_corrected_here(client, world, episode):
    other = report(world, make_adult(world), from_home=False)
    elsewhere = log(world, other)
    client.force_login(world.officer)
    assert client.get(url(episode, corrects=elsewhere.pk)).status_code == 404
    assert client.post(url(episode), good(corrects=elsewhere.pk)).status_code == 404
    with pytest.raises(InvalidInput):
        log(world, episode, corrects=elsewhere)
    assert FamilyContact.objects.count() == 1


def test_saved_entries_cannot_be_changed_or_deleted(world, episode):
    contact = log(world, episode)
    contact.summary = "Rewritten"
    with pytest.raises(ValueError, match="cannot be changed"):
        contact.save()
    with pytest.raises(ValueError, match="cannot be deleted"):
        contact.delete()
    assert FamilyContact.objects.get().summary == "Update given."


# --- Who reads and who writes ---------------------------------------------------------------------------


def test_the_episode_page_shows_the_panel(client, world, episode):
    log(world, episode, summary="Mother asked about support.")
    client.force_login(world.officer)
    response = client.get(reverse("episode_detail", args=[episode.pk]))
    assert response.status_code == 200
    section = response.content.decode().split('id="family-contacts"')[1]
    assert "Mother asked about support." in section and "<strong>1</strong> signposted" in section


def test_the_panel_lists_contacts_newest_first_with_the_signposted_count(client, world, episode):
    log(world, episode, hours_ago=3, summary="First call.")
    log(world, episode, hours_ago=1, signposted=False, summary="Second call.")
    html = panel(world.officer, episode)
    assert html.index("Second call.") < html.index("First call.")
    assert "2 contacts;" in html and "<strong>1</strong> signposted" in html
    assert reverse("families:contact_new", args=[episode.pk]) in html
    event = AuditEvent.objects.filter(event_type="family_contact.listed").latest("id")
    assert event.actor_user_id == world.officer.pk and len(event.object_ids) == 2


def test_the_council_reads_the_log_but_may_not_add_to_it(client, world, episode):
    log(world, episode, summary="Mother asked about support.")
    client.force_login(world.partner)
    html = panel(world.partner, episode)
    # Who was contacted and whether they were signposted; what was said stays with the police
    # (field-level restriction: identity.sharing_rules, "family_contact").
    assert "Dawn Hartley" in html and "Missing People" in html
    assert "Mother asked about support." not in html
    assert reverse("families:contact_new", args=[episode.pk]) not in html
    assert client.get(url(episode)).status_code == 403
    assert client.post(url(episode), good()).status_code == 403
    assert FamilyContact.objects.count() == 1


def test_a_force_analyst_reads_the_log_but_may_not_add(client, world, episode, analyst):
    log(world, episode, summary="Mother asked about support.")
    client.force_login(analyst)
    assert "Mother asked about support." in panel(analyst, episode)
    assert client.get(url(episode)).status_code == 403


def test_a_care_provider_follows_the_episode_but_sees_no_family_log(client, world, episode):
    contact = log(world, episode, summary="Mother asked about support.")
    client.force_login(world.care_staff)
    assert panel(world.care_staff, episode).strip() == ""
    assert panel(AnonymousUser(), episode).strip() == ""
    assert client.get(url(episode)).status_code == 404
    assert client.get(url(episode, corrects=contact.pk)).status_code == 404
    assert family_contacts_for_episode(actor=world.care_staff, episode=episode) is None
    assert not AuditEvent.objects.filter(
        event_type="family_contact.listed", actor_user_id=world.care_staff.pk
    ).exists()


def test_outsiders_get_404_and_nothing_is_written(client, world, episode, other_force_officer):
    log(world, episode)
    for user in (world.outsider, other_force_officer, world.commissioner):
        client.force_login(user)
        assert client.get(reverse("episode_detail", args=[episode.pk])).status_code == 404, user
        assert client.get(url(episode)).status_code == 404, user
        assert client.post(url(episode), good()).status_code == 404, user
        assert family_contacts_for_episode(actor=user, episode=episode) is None
    with pytest.raises(NotAllowed):
        log(world, episode, actor=other_force_officer)
    assert FamilyContact.objects.count() == 1
    client.logout()
    response = client.get(url(episode))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_council_reads_only_the_logs_of_episodes_it_may_see(client, world, episode):
    """Council B sees Ruby's episode (placing and host authority), not an adult missing in South."""
    adult_episode = report(world, make_adult(world), from_home=False)
    log(world, adult_episode, summary="Wife rang for news.")
    log(world, episode, summary="Mother asked about support.")
    assert [c.summary for c in family_contacts_for_episode(actor=world.partner, episode=episode).entries] == [
        "Mother asked about support."
    ]
    assert family_contacts_for_episode(actor=world.partner, episode=adult_episode) is None
    client.force_login(world.partner)
    assert client.get(url(adult_episode)).status_code == 404


# --- The chronology contribution -----------------------------------------------------------------------


def test_chronology_entries_follow_the_same_rule_and_are_not_logged(world, episode):
    first = log(world, episode, hours_ago=2)
    log(world, episode, hours_ago=1, signposted=False)
    events = AuditEvent.objects.count()
    entries = chronology_entries_for(actor=world.officer, person=episode.person)
    assert [e.record for e in entries][0] == f"families.familycontact:{first.pk}" and len(entries) == 2
    assert entries[0].kind == "Family contact" and entries[0].organisation == "Force A Police"
    assert "signposted to Missing People charity (116 000)" in entries[0].summary
    assert "signposted" not in entries[1].summary
    assert entries[0].url == reverse("episode_detail", args=[episode.pk]) + "#family-contacts"
    assert len(chronology_entries_for(actor=world.partner, person=episode.person)) == 2
    assert chronology_entries_for(actor=world.care_staff, person=episode.person) == []
    assert chronology_entries_for(actor=world.outsider, person=episode.person) == []
    assert AuditEvent.objects.count() == events
