from __future__ import annotations

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from homeward.audit.models import AuditEvent
from homeward.conftest import TEST_PASSWORD
from homeward.episodes.models import Episode, RiskAssessment, Status
from homeward.episodes.tests.factories import assess, find, make_ruby, report
from homeward.people.models import Person

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def circumstances_post(world, **overrides):
    data = {
        "district": world.north.pk,
        "missing_from": world.oak_house.pk,
        "reporting_person_name": "Alex Manager",
        "reporting_person_relationship": "Care home manager",
        "last_seen_at": (timezone.localtime() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "last_seen_place": "Front door of Oak House",
        "circumstances": "Left after an argument with staff.",
        "reasonable_steps": "Searched the building, called her phone and her friend Jade.",
        "q_out_of_character": "no",
        "q_out_of_character_detail": "Often goes missing",
        "q_sexual_exploitation": "yes",
    }
    data.update(overrides)
    return data


def test_report_journey_over_http(client, world):
    ruby = make_ruby(world)
    login(client, world.call_handler)
    response = client.post(reverse("report_start"), {"given_name": "Ruby", "family_name": "Hartley"})
    assert response.status_code == 200
    assert ruby.full_name in response.content.decode()
    response = client.post(reverse("report_circumstances", args=[ruby.pk]), circumstances_post(world))
    episode = Episode.objects.get(person=ruby)
    assert response.status_code == 302 and response["Location"] == reverse("risk_new", args=[episode.pk])
    assert episode.call_handler_answers["sexual_exploitation"] == {"answer": "yes", "detail": ""}
    response = client.post(
        reverse("risk_new", args=[episode.pk]),
        {
            "version": episode.version,
            "level": "medium",
            "rationale": "Known CSE markers; regular pattern.",
            "systems": ["pnc", "previous_missing"],
            "f_sexual_exploitation": "yes",
        },
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.status == Status.ACTIVE and episode.risk_level == "medium"
    assert episode.risk_assessments.get().systems_checked[0]["checked_by"] == world.call_handler.display_name


def test_bad_input_keeps_what_was_typed_and_writes_nothing(client, world):
    ruby = make_ruby(world)
    login(client, world.call_handler)
    response = client.post(
        reverse("report_circumstances", args=[ruby.pk]),
        circumstances_post(world, reasonable_steps="", circumstances="Distinctive words typed here"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Record the reasonable steps the carer took before reporting" in body
    assert "Distinctive words typed here" in body
    assert "govuk-error-summary" in body
    assert Episode.objects.count() == 0


def test_child_cannot_be_offered_very_low(client, world):
    episode = report(world, make_ruby(world))
    login(client, world.supervisor)
    page = client.get(reverse("risk_new", args=[episode.pk])).content.decode()
    assert 'value="very_low"' not in page and 'value="high"' in page
    response = client.post(
        reverse("risk_new", args=[episode.pk]),
        {"version": 1, "level": "very_low", "rationale": "Whatever it is ok"},
    )
    assert response.status_code == 200 and RiskAssessment.objects.count() == 0


def test_conflicting_save_is_shown_and_not_written(client, world):
    episode = report(world, make_ruby(world))
    assess(world, episode, "medium")  # someone else saves first; the form below still carries version 1
    login(client, world.officer)
    response = client.post(
        reverse("risk_new", args=[episode.pk]),
        {"version": 1, "level": "low", "rationale": "My stale grading text"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Changed by someone else" in body and "Graded medium risk" in body
    assert "My stale grading text" in body
    assert 'name="version" value="2"' in body
    assert RiskAssessment.objects.filter(episode=episode).count() == 1


def test_dashboard_lists_open_episodes_with_flags_and_filters_by_district(client, world):
    episode = assess(world, report(world, make_ruby(world)), "high")
    login(client, world.supervisor)
    body = client.get(reverse("dashboard_rows")).content.decode()
    assert episode.reference in body and "New high risk" in body and "Pending" in body
    other = client.get(reverse("dashboard_rows"), {"district": world.south.pk}).content.decode()
    assert episode.reference not in other
    full = client.get(reverse("dashboard")).content.decode()
    assert 'hx-trigger="every 5s"' in full
    event = AuditEvent.objects.filter(event_type="episode.listed").last()
    assert str(episode.pk) in event.object_ids


def test_found_and_closed_episode_leaves_the_dashboard(client, world):
    episode = find(world, assess(world, report(world, make_ruby(world))))
    login(client, world.supervisor)
    assert episode.reference not in client.get(reverse("dashboard_rows")).content.decode()
    response = client.post(
        reverse("episode_close", args=[episode.pk]),
        {
            "version": episode.version,
            "prevention_not_done_reason": "She refused to speak to officers at all.",
        },
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.status == Status.CLOSED


def test_person_page_shows_repeat_count_and_markers(client, world):
    ruby = make_ruby(world)
    find(world, assess(world, report(world, ruby)))
    login(client, world.officer)
    body = client.get(reverse("person_detail", args=[ruby.pk])).content.decode()
    assert 'data-repeat-count="1"' in body and "Child sexual exploitation" in body and "Rubes Hart" in body


def test_partner_sees_shared_episode_and_outsider_gets_404(client, world):
    episode = report(world, make_ruby(world))
    login(client, world.partner)
    assert client.get(reverse("episode_detail", args=[episode.pk])).status_code == 200
    client.logout()
    login(client, world.outsider)
    for name in ("episode_detail", "risk_new"):
        assert client.get(reverse(name, args=[episode.pk])).status_code in (403, 404)
    assert client.get(reverse("episode_detail", args=[episode.pk])).status_code == 404
    assert client.get(reverse("person_detail", args=[episode.person_id])).status_code == 404
    assert client.get(reverse("location_detail", args=[world.oak_house.pk])).status_code == 404
    found = client.post(
        reverse("person_search"), {"given_name": "Ruby", "family_name": "Hartley"}
    ).content.decode()
    assert "Ruby Hartley" not in found


def test_unknown_fields_posted_change_nothing(client, world):
    episode = report(world, make_ruby(world))
    login(client, world.supervisor)
    client.post(
        reverse("risk_new", args=[episode.pk]),
        {
            "version": 1,
            "level": "high",
            "rationale": "Reasoned grading text",
            "status": "closed",
            "force_id": world.council_c.pk,
            "risk_level_highest": "very_low",
        },
    )
    episode.refresh_from_db()
    assert episode.status == Status.ACTIVE and episode.force_id == world.force.pk
    assert episode.risk_level_highest == "high"


def test_new_person_requires_a_search_first(client, world):
    login(client, world.call_handler)
    response = client.get(reverse("person_new"))
    assert response.status_code == 302 and response["Location"] == reverse("report_start")
    client.post(reverse("report_start"), {"given_name": "Zed", "family_name": "Unknown"})
    response = client.post(
        reverse("person_new"),
        {
            "given_name": "Zed",
            "family_name": "Unknown",
            "sex": "male",
            "ethnicity": "NS",
            "officer_ethnicity": "X",
            "estimated_age": "30",
            "supplied_by": "His neighbour",
        },
    )
    person = Person.objects.get(family_name="Unknown")
    assert response["Location"] == reverse("report_circumstances", args=[person.pk])
    assert person.estimated_age == 30 and person.fact_sources["estimated_age"]["by"] == "His neighbour"


# --- Every route: anonymous users go to sign-in; outsiders get 404 on other organisations' records ---

PUBLIC_ROUTES = {"login", "logout"}


def _routes() -> list[tuple[str, list[str]]]:
    """Every named page route, with the names of its URL arguments, walking included URL sets."""
    found: list[tuple[str, list[str]]] = []

    def walk(patterns: list, namespace: str, args: list[str]) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if "api" in str(p.pattern):
                    continue  # the API has its own generated route tests
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, ns, args + list(p.pattern.regex.groupindex))
            elif isinstance(p, URLPattern) and p.name:
                found.append((namespace + p.name, args + list(p.pattern.regex.groupindex)))

    walk(get_resolver().url_patterns, "", [])
    return found


def _args_for(arg_names: list[str], episode: Episode) -> dict[str, int]:
    # Any id works: anonymous users must be sent to sign in, and outsiders must not see whatever it is.
    ids = {"pk": episode.pk, "person_id": episode.person_id, "assessment_id": 1, "episode_id": episode.pk}
    return {name: ids.get(name, episode.pk) for name in arg_names}


def test_every_route_sends_anonymous_users_to_sign_in(client, world):
    episode = report(world, make_ruby(world))
    for name, arg_names in _routes():
        if name in PUBLIC_ROUTES:
            continue
        url = reverse(name, kwargs=_args_for(arg_names, episode))
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), name


def test_every_object_route_is_404_for_the_outsider(client, world):
    episode = assess(world, report(world, make_ruby(world)))
    login(client, world.outsider)
    for name, arg_names in _routes():
        if not arg_names:
            continue
        url = reverse(name, kwargs=_args_for(arg_names, episode))
        for method in (client.get, client.post):
            status = method(url).status_code
            # 403 where the role may never do this at all; 404 where it is about another organisation's record.
            assert status in (403, 404, 405), (name, status)
