"""Subject access export: every record held about a person and every disclosure of them."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from homeward.audit.models import AuditEvent, Operation
from homeward.conftest import TEST_PASSWORD
from homeward.dataprotection.tests.helpers import coordinator_of, rich_subject
from homeward.identity.signin import PASSWORD_AT, SECOND_FACTOR_AT, now_seconds

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.login(username=user.username, password=TEST_PASSWORD)
    return client


def make_step_up_stale(client: Client) -> None:
    """Signed in 20 minutes ago and active since: past the 15-minute step-up window."""
    session = client.session
    then = now_seconds() - 20 * 60
    session[PASSWORD_AT] = then
    session[SECOND_FACTOR_AT] = then
    session.save()


def export_url(person_id: int) -> str:
    return f"/data-protection/people/{person_id}/subject-access/"


def test_the_export_holds_every_record_and_every_disclosure(world):
    subject = rich_subject(world)
    response = signed_in(subject.coordinator).get(export_url(subject.person.pk))
    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == f'attachment; filename="subject-access-{subject.person.pk}.json"'
    )
    assert response["Cache-Control"] == "no-store"
    doc = json.loads(response.content)
    records = doc["records"]
    assert records["people.person"][0]["given_name"] == "Zephyrine"
    for table in (
        "people.personalias",
        "people.personmarker",
        "people.personaddress",
        "people.personcontact",
        "episodes.episode",
        "episodes.riskassessment",
        "episodes.episodeupdate",
        "episodes.foundrecord",
        "families.familycontact",
        "prevention.plan",
        "returns.returninterview",
        "notifications.notification",
    ):
        assert records.get(table), table
    assert records["episodes.episode"][0]["id"] == subject.episode.pk
    assert any(e["kind"] == "Reported missing" for e in doc["chronology"])
    # The partners told of the episode are disclosures of it, with their recipients.
    recipients = {d["recipient_organisation"] for d in doc["disclosures"]}
    assert world.council_b.name in recipients
    assert all(d["record_ids"] for d in doc["disclosures"])


def test_the_export_is_a_disclosure_in_the_audit_log(world):
    subject = rich_subject(world)
    signed_in(subject.coordinator).get(export_url(subject.person.pk))
    event = AuditEvent.objects.filter(event_type="dataprotection.subject_access_export").get()
    assert event.operation == Operation.DISCLOSURE
    assert event.object_type == "person" and event.object_ids == [str(subject.person.pk)]
    assert event.actor_user_id == subject.coordinator.pk


def test_other_peoples_disclosures_are_not_in_it(world):
    from homeward.episodes.tests.factories import make_adult, report

    subject = rich_subject(world)
    other = report(world, make_adult(world), from_home=False)
    doc = json.loads(signed_in(subject.coordinator).get(export_url(subject.person.pk)).content)
    assert str(other.pk) not in {
        i for d in doc["disclosures"] for i in d["record_ids"] if d["record_type"] == "episode"
    }
    assert all(e["id"] != other.pk for e in doc["records"]["episodes.episode"])


def test_outsiders_and_other_roles_get_404_or_403_and_anonymous_the_sign_in_page(world):
    subject = rich_subject(world)
    url = export_url(subject.person.pk)
    assert signed_in(world.outsider).get(url).status_code == 403  # no capability at all
    assert signed_in(world.officer).get(url).status_code == 403
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    # A coordinator of another force: the same 404 as a record that does not exist.
    from homeward.conftest import make_user
    from homeward.identity.models import Organisation, OrganisationKind
    from homeward.identity.roles import Role

    force_c = Organisation.objects.create(name="Force C Police", kind=OrganisationKind.POLICE_FORCE)
    force_c.force = force_c
    force_c.save()
    stranger = make_user("cato_coordinator", force_c, Role.MFH_COORDINATOR)
    client = signed_in(stranger)
    assert client.get(url).status_code == 404
    assert client.get(export_url(999_999)).status_code == 404
    assert client.get(f"/data-protection/people/{subject.person.pk}/").status_code == 404
    assert not AuditEvent.objects.filter(event_type="dataprotection.subject_access_export").exists()


def test_the_export_needs_a_recent_password_and_code(world):
    subject = rich_subject(world)
    client = signed_in(subject.coordinator)
    make_step_up_stale(client)
    response = client.get(export_url(subject.person.pk))
    assert response.status_code == 302 and "/login/confirm/" in response["Location"]


def test_the_data_protection_page_and_queue_render_for_the_coordinator(world):
    subject = rich_subject(world)
    client = signed_in(coordinator_of(world))
    page = client.get(f"/data-protection/people/{subject.person.pk}/")
    assert page.status_code == 200
    assert b"Download the subject access export" in page.content
    queue = client.get("/data-protection/")
    assert queue.status_code == 200 and b'href="/data-protection/"' in queue.content  # in the menu
    assert b'href="/data-protection/"' not in signed_in(world.officer).get("/").content
    assert client.get(f"/data-protection/?person={subject.person.pk}").status_code == 302
