"""The profile joined up with the rest of Homeward: the police report it starts, and placements."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from homeward.episodes.models import Episode
from homeward.notifications.models import Notification
from homeward.people.actions import person_address_add
from homeward.protocols.models import ProfileMissingReport
from homeward.protocols.tests.helpers import login, make_extra, make_profile, submit_report

pytestmark = pytest.mark.django_db


def test_carers_part2_prefills_the_police_report_which_links_back_and_tells_the_council(client, world):
    profile = make_profile(world)
    part2 = submit_report(world, profile)
    login(client, world.call_handler)
    response = client.post(reverse("protocols:report_start", args=[part2.pk]))
    target = reverse("report_circumstances", args=[profile.person_id])
    assert response.status_code == 302 and response["Location"] == target
    page = client.get(target).content.decode()
    assert "Black puffer jacket, grey joggers, white trainers" in page
    assert "rang Jade&#x27;s mum" in page
    assert f'value="{world.oak_house.pk}" selected' in page
    post = {
        "district": world.north.pk,
        "missing_from": world.oak_house.pk,
        "reporting_person_name": "Carys Carer",
        "reporting_person_relationship": "Residential support worker",
        "last_seen_at": (timezone.localtime() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "last_seen_place": "Front door of Oak House",
        "circumstances": "Left after an argument about her phone.",
        "reasonable_steps": "Searched the house and garden; rang her phone four times; rang Jade's mum.",
        "clothing": "Black puffer jacket, grey joggers, white trainers",
    }
    response = client.post(target, post)
    episode = Episode.objects.get(person=profile.person)
    assert response.status_code == 302
    part2.refresh_from_db()
    assert part2.episode == episode and part2.status == "linked"
    assert "report_prefill" not in client.session
    # Ruby is a child placed by Council B: children's social care is told at once.
    assert Notification.objects.filter(episode=episode, recipient=world.council_b).exists()


def test_the_prefill_is_not_used_for_another_person(client, world):
    profile = make_profile(world)
    part2 = submit_report(world, profile)
    login(client, world.call_handler)
    client.post(reverse("protocols:report_start", args=[part2.pk]))
    from homeward.episodes.tests.factories import make_adult

    other = make_adult(world)
    page = client.get(reverse("report_circumstances", args=[other.pk])).content.decode()
    assert "Black puffer jacket" not in page


def test_the_profile_follows_a_new_placement(world):
    extra = make_extra(world)
    profile = make_profile(world)
    assert profile.holder == world.provider_b
    person_address_add(
        actor=world.call_handler,
        person=profile.person,
        since=timezone.localdate(),
        supplied_by="Council B",
        location=extra.birch_house,
        is_placement=True,
        placing_authority=world.council_b,
    )
    profile.refresh_from_db()
    assert profile.holder == extra.provider_d
    assert ProfileMissingReport.objects.count() == 0


def test_the_dashboard_flags_carers_reports_waiting(client, world):
    profile = make_profile(world)
    login(client, world.supervisor)
    assert 'data-alert="carer-reports"' not in client.get(reverse("dashboard_rows")).content.decode()
    submit_report(world, profile)
    assert 'data-alert="carer-reports"' in client.get(reverse("dashboard_rows")).content.decode()


def test_care_staff_start_at_their_profiles(client, world):
    login(client, world.care_staff)
    assert client.get(reverse("home"))["Location"] == reverse("protocols:list")


def test_showing_a_part2_on_the_episode_page_is_logged(client, world):
    from homeward.audit.models import AuditEvent
    from homeward.episodes.tests.factories import report

    profile = make_profile(world)
    part2 = submit_report(world, profile)
    episode = report(world, profile.person)
    login(client, world.officer)
    client.get(reverse("episode_detail", args=[episode.pk]))
    event = AuditEvent.objects.get(event_type="profile_report.viewed", actor_user_id=world.officer.pk)
    assert event.object_ids == [str(part2.pk)]
