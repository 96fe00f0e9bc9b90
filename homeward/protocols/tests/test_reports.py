"""Part 2: the carer reports a resident missing from the profile; the call handler starts the police report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from homeward.audit.models import AuditEvent, Operation
from homeward.episodes.tests.factories import report
from homeward.protocols import actions, views
from homeward.protocols.models import ProfileMissingReport, ReportStatus
from homeward.protocols.tests.helpers import login, make_profile, submit_report

pytestmark = pytest.mark.django_db


def part2_post(world, **overrides: str) -> dict[str, str]:
    data = {
        "missing_from": str(world.oak_house.pk),
        "last_seen_at": (timezone.localtime() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "last_seen_place": "Front door of Oak House",
        "last_seen_with": "Alone",
        "clothing": "Black puffer jacket, grey joggers",
        "circumstances": "Left after an argument about her phone.",
        "reasonable_steps": "Searched the house and garden; rang her phone; rang Jade's mum.",
        "reporter_name": "Carys Carer",
        "reporter_relationship": "Residential support worker",
        "reporter_phone": "01632 960001",
        "submit": "1",
    }
    data.update(overrides)
    return data


def test_reasonable_steps_are_required_and_nothing_is_written(client, world):
    profile = make_profile(world)
    login(client, world.care_staff)
    response = client.post(
        reverse("protocols:report_new", args=[profile.pk]),
        part2_post(world, reasonable_steps="  ", circumstances="Distinctive words typed by the carer"),
    )
    body = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in body
    assert "Record the reasonable steps you took before reporting" in body
    assert 'href="#id_reasonable_steps"' in body  # the summary links to the field
    assert "Distinctive words typed by the carer" in body
    assert not ProfileMissingReport.objects.exists()


def test_carer_reports_missing_and_the_call_handler_starts_the_police_report(client, world):
    profile = make_profile(world)
    ruby = profile.person
    login(client, world.care_staff)
    form = client.get(reverse("protocols:report_new", args=[profile.pk])).content.decode()
    # The current placement is chosen already, and the carer's name filled in.
    assert f'<option value="{world.oak_house.pk}" selected>' in form and "Carys Tester" in form

    sent = part2_post(world)
    response = client.post(reverse("protocols:report_new", args=[profile.pk]), sent)
    part2 = ProfileMissingReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("protocols:report_detail", args=[part2.pk])
    assert part2.status == ReportStatus.SUBMITTED and part2.reporting_org == world.provider_b
    assert part2.submitted_by == world.care_staff and part2.missing_from == world.oak_house
    disclosure = AuditEvent.objects.get(event_type="profile_report.submitted")
    assert disclosure.operation == Operation.DISCLOSURE and disclosure.recipient_agency_id == world.force.pk

    # The call handler's queue shows it.
    client.logout()
    login(client, world.call_handler)
    queue = client.get(reverse("protocols:submitted"))
    assert queue.status_code == 200 and f'data-report="{part2.pk}"' in queue.content.decode()
    page = client.get(reverse("protocols:report_detail", args=[part2.pk])).content.decode()
    assert "Start the police report" in page and "rang Jade&#x27;s mum" in page

    started = client.post(reverse("protocols:report_start", args=[part2.pk]))
    assert started.status_code == 302
    assert (
        started["Location"] == reverse("report_circumstances", args=[ruby.pk]) == f"/report/person/{ruby.pk}/"
    )
    prefill = client.session["report_prefill"]
    assert prefill == {
        "missing_from": world.oak_house.pk,
        "district": world.north.pk,
        "last_seen_at": sent["last_seen_at"],
        "last_seen_place": "Front door of Oak House",
        "last_seen_with": "Alone",
        "clothing": "Black puffer jacket, grey joggers",
        "circumstances": "Left after an argument about her phone.",
        "reasonable_steps": "Searched the house and garden; rang her phone; rang Jade's mum.",
        "reporting_person_name": "Carys Carer",
        "reporting_person_relationship": "Residential support worker",
        "reporting_person_phone": "01632 960001",
        "person_id": ruby.pk,
        "profile_report_id": part2.pk,
    }
    assert client.get(started["Location"]).status_code == 200
    assert AuditEvent.objects.filter(
        event_type="profile_report.started", actor_user_id=world.call_handler.pk
    ).exists()


def test_prefill_helpers_for_the_report_page_and_linking(world):
    """What episodes.views.report_circumstances calls: initial values for this person only, then the link."""
    profile = make_profile(world)
    part2 = submit_report(world, profile)
    request = RequestFactory().get("/")
    request.session = {"report_prefill": actions.profile_report_start(actor=world.call_handler, report=part2)}
    assert views.report_prefill_initial(request, profile.person_id + 1) == {}
    initial = views.report_prefill_initial(request, profile.person_id)
    assert initial["reasonable_steps"].startswith("Searched the house") and "person_id" not in initial

    episode = report(world, profile.person)
    linked = views.report_prefill_finish(request, actor=world.call_handler, episode=episode)
    assert linked is not None and linked.status == ReportStatus.LINKED and linked.episode == episode
    assert linked.linked_by == world.call_handler and "report_prefill" not in request.session
    assert AuditEvent.objects.get(event_type="profile_report.linked").operation == Operation.COMBINATION


def test_link_is_refused_quietly_for_the_wrong_person_or_a_withdrawn_report(world):
    from homeward.episodes.tests.factories import make_adult

    profile = make_profile(world)
    part2 = submit_report(world, profile)
    other_episode = report(world, make_adult(world), from_home=False)
    assert (
        actions.profile_report_link_episode(
            actor=world.call_handler, profile_report_id=part2.pk, episode=other_episode
        )
        is None
    )
    actions.profile_report_withdraw(actor=world.care_staff, report=part2, reason="Came back at 21:40")
    episode = report(world, profile.person)
    assert (
        actions.profile_report_link_episode(
            actor=world.call_handler, profile_report_id=part2.pk, episode=episode
        )
        is None
    )
    part2.refresh_from_db()
    assert part2.status == ReportStatus.WITHDRAWN and part2.episode is None


def test_care_staff_cannot_start_a_police_report(client, world):
    part2 = submit_report(world, make_profile(world))
    login(client, world.care_staff)
    assert client.post(reverse("protocols:report_start", args=[part2.pk])).status_code == 403
    assert client.get(reverse("protocols:submitted")).status_code == 403
    assert "report_prefill" not in client.session


def test_draft_stays_with_the_holder_until_submitted(client, world):
    profile = make_profile(world)
    login(client, world.care_staff)
    response = client.post(
        reverse("protocols:report_new", args=[profile.pk]),
        {"last_seen_place": "Garden", "circumstances": "Not back from the shop", "save_draft": "1"},
    )
    part2 = ProfileMissingReport.objects.get()
    assert response.status_code == 302 and part2.status == ReportStatus.DRAFT
    # Opening "report missing" again continues the draft instead of starting a second one.
    again = client.get(reverse("protocols:report_new", args=[profile.pk]))
    assert again["Location"] == reverse("protocols:report_detail", args=[part2.pk])

    client.logout()
    login(client, world.call_handler)
    assert client.get(reverse("protocols:report_detail", args=[part2.pk])).status_code == 404
    assert f'data-report="{part2.pk}"' not in client.get(reverse("protocols:submitted")).content.decode()

    client.logout()
    login(client, world.care_staff)
    page = client.get(reverse("protocols:report_detail", args=[part2.pk])).content.decode()
    assert "Not back from the shop" in page and "Submit to the police" in page
    submitted = client.post(reverse("protocols:report_detail", args=[part2.pk]), part2_post(world))
    assert submitted.status_code == 302
    part2.refresh_from_db()
    assert part2.status == ReportStatus.SUBMITTED and part2.circumstances.startswith("Left after")
    assert ProfileMissingReport.objects.count() == 1


def test_withdrawn_report_leaves_the_police_queue(client, world):
    part2 = submit_report(world, make_profile(world))
    login(client, world.care_staff)
    response = client.post(
        reverse("protocols:report_withdraw", args=[part2.pk]), {"reason": "Came back at 21:40"}
    )
    assert response.status_code == 302
    part2.refresh_from_db()
    assert part2.status == ReportStatus.WITHDRAWN
    client.logout()
    login(client, world.call_handler)
    assert f'data-report="{part2.pk}"' not in client.get(reverse("protocols:submitted")).content.decode()
    assert client.post(reverse("protocols:report_start", args=[part2.pk])).status_code == 302
    assert "report_prefill" not in client.session


def test_part2_for_someone_already_missing_links_to_the_open_episode(client, world):
    profile = make_profile(world)
    episode = report(world, profile.person)
    part2 = submit_report(world, profile)
    login(client, world.call_handler)
    page = client.get(reverse("protocols:report_detail", args=[part2.pk])).content.decode()
    assert f"Link to {episode.reference}" in page and "Start the police report" not in page
    refused = client.post(reverse("protocols:report_start", args=[part2.pk]))
    assert refused["Location"] == reverse("protocols:report_detail", args=[part2.pk])
    linked = client.post(reverse("protocols:report_link", args=[part2.pk]))
    assert linked.status_code == 302 and linked["Location"] == reverse("episode_detail", args=[episode.pk])
    part2.refresh_from_db()
    assert part2.status == ReportStatus.LINKED and part2.episode == episode


def test_police_episode_panel_shows_part1_and_part2(client, world, settings):
    settings.HOMEWARD_PROFILE_PHOTO_STALE_DAYS = 10
    profile = make_profile(world, medical="Asthma: blue inhaler")
    part2 = submit_report(world, profile)
    episode = report(world, profile.person)
    actions.profile_report_link_episode(actor=world.call_handler, profile_report_id=part2.pk, episode=episode)
    login(client, world.officer)
    body = client.get(reverse("episode_detail", args=[episode.pk])).content.decode()
    assert 'id="protocol-panel"' in body
    assert "Philomena profile" in body and "Held by Care Provider B" in body
    assert "Asthma: blue inhaler" in body and "Jade Brook" in body
    assert "This profile may be out of date" in body and "No photo on the profile" in body
    assert "Part 2 for this episode" in body and "Black puffer jacket" in body
    assert reverse("protocols:detail", args=[profile.pk]) in body


def test_episode_panel_for_someone_without_a_profile(client, world):
    from homeward.episodes.tests.factories import make_adult

    episode = report(world, make_adult(world), from_home=False)
    login(client, world.officer)
    body = client.get(reverse("episode_detail", args=[episode.pk])).content.decode()
    assert "No profile shared for Daniel Okafor" in body


def test_the_action_refuses_a_submission_without_reasonable_steps(world):
    """The rule lives in the action too, for callers other than the page (the API)."""
    from homeward.errors import InvalidInput

    profile = make_profile(world)
    with pytest.raises(InvalidInput) as exc:
        submit_report(world, profile, reasonable_steps="   ")
    assert set(exc.value.errors) == {"reasonable_steps"}
    assert not ProfileMissingReport.objects.exists()
