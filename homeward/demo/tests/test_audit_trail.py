"""The casework demo's audit trail: the events the application would have written for its records."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from homeward.audit.log import audit_chain_check
from homeward.audit.models import AuditEvent, Operation
from homeward.episodes.models import Episode, EpisodeEvent
from homeward.episodes.sharing import episode_visibility
from homeward.identity.models import OrganisationKind, User
from homeward.identity.roles import Role
from homeward.people.models import Person

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 6, 30)


@pytest.fixture
def demo() -> None:
    call_command(
        "demo",
        "--seed",
        "4",
        "--years",
        "1",
        "--scale",
        "0.05",
        "--as-of",
        AS_OF.isoformat(),
        stdout=io.StringIO(),
    )


def _events(event_type: str) -> dict[str, AuditEvent]:
    """The events of a type by the one record each names."""
    events = {}
    for event in AuditEvent.objects.filter(event_type=event_type):
        (object_id,) = event.object_ids
        assert object_id not in events, f"two {event_type} events for {object_id}"
        events[object_id] = event
    return events


def test_every_person_and_episode_has_its_collection_event_by_whoever_took_it(demo: None) -> None:
    people = _events("person.created")
    assert set(people) == {str(pk) for pk in Person.objects.values_list("pk", flat=True)}
    handlers = {u.pk: u for u in User.objects.filter(role=Role.CALL_HANDLER)}
    for person in Person.objects.all():
        event = people[str(person.pk)]
        assert event.operation == Operation.COLLECTION and event.object_type == "person"
        handler = handlers[event.actor_user_id]  # a call handler took the details
        assert (event.actor_agency_id, event.acting_as) == (handler.organisation_id, Role.CALL_HANDLER)
        assert event.occurred_at == person.created_at
        assert {"given_name", "family_name", "sex"} <= set(event.changed_fields)

    reports = _events("episode.reported")
    episodes = list(Episode.objects.all())
    assert len(reports) == len(episodes)
    for episode in episodes:
        event = reports[str(episode.pk)]
        assert event.operation == Operation.COLLECTION
        # The call handler who took the report, with their organisation and role.
        assert event.actor_user_id == episode.reported_by_id
        assert (event.actor_agency_id, event.acting_as) == (episode.force_id, Role.CALL_HANDLER)
        assert event.occurred_at == episode.reported_at


def test_officers_and_partners_are_seen_opening_episodes_they_may_see(demo: None) -> None:
    views = list(AuditEvent.objects.filter(event_type="episode.viewed").order_by("id"))
    assert all(v.operation == Operation.CONSULTATION and v.object_type == "episode" for v in views)
    users = User.objects.select_related("organisation").in_bulk({v.actor_user_id for v in views})
    police = [v for v in views if users[v.actor_user_id].organisation.kind == OrganisationKind.POLICE_FORCE]
    partners = [v for v in views if users[v.actor_user_id].organisation.kind != OrganisationKind.POLICE_FORCE]
    assert {v.acting_as for v in police} >= {Role.OFFICER, Role.SUPERVISOR}
    assert partners, "a partner agency opens a shared episode now and then"
    # A sprinkling: some of the staff who acted on an episode, not each of them.
    acted = (
        EpisodeEvent.objects.exclude(kind="reported")
        .exclude(actor=None)
        .values_list("episode_id", "actor_id")
        .distinct()
        .count()
    )
    assert 0.2 * acted < len(police) < 0.5 * acted
    for v in views:
        user = users[v.actor_user_id]
        assert (v.actor_agency_id, v.acting_as) == (user.organisation_id, user.role)
        (episode_id,) = v.object_ids
        # Only episodes the viewer's organisation may open under the sharing rules.
        episode = Episode.objects.filter(episode_visibility(user), pk=int(episode_id)).first()
        assert episode is not None, f"{user.username} could not have opened episode {episode_id}"
        assert episode.reported_at <= v.occurred_at


def test_the_chain_verifies_runs_in_time_order_and_stops_at_the_cut_off(demo: None) -> None:
    check = audit_chain_check()
    assert check.intact and check.checked == AuditEvent.objects.count()
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact" in out.getvalue()
    cutoff = dt.datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=ZoneInfo(settings.TIME_ZONE))
    records = AuditEvent.objects.exclude(event_type__startswith="demo.").order_by("id")
    times = list(records.values_list("occurred_at", flat=True))
    assert times == sorted(times) and times[-1] < cutoff


def test_an_auditors_search_by_a_demo_person_finds_their_events(demo: None) -> None:
    episode = Episode.objects.order_by("pk").first()
    assert episode is not None
    auditor = User.objects.get(username="auditor")
    client = Client()
    client.force_login(auditor)
    page = client.get("/audit/", {"person": episode.person_id})
    assert page.status_code == 200
    found = {(e.event_type, e.object_type, tuple(e.object_ids)) for e, _username in page.context["rows"]}
    assert ("person.created", "person", (str(episode.person_id),)) in found
    assert ("episode.reported", "episode", (str(episode.pk),)) in found
    assert audit_chain_check().intact  # the search's own event went on the end of the chain
