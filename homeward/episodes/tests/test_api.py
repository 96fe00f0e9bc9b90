"""The episodes JSON API, over full requests: response and database checked, every refusal exercised."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from homeward.audit.models import AuditEvent
from homeward.conftest import World, make_user
from homeward.episodes import actions
from homeward.episodes.models import Episode, EpisodeEvent, FoundRecord, RiskAssessment, Status
from homeward.identity.api_tokens import api_token_issue, api_token_revoke
from homeward.identity.models import District, Organisation, OrganisationKind, User
from homeward.identity.roles import Role
from homeward.identity.tokens import ApiToken
from homeward.people.actions import PersonData, person_create
from homeward.people.models import Person

pytestmark = pytest.mark.django_db

BASE = "/api/v1"
# One test client for every token-authenticated call: tokens travel in headers, so no cookie state is shared.
HTTP = Client()


class Api:
    """A JSON client signed in with an API token, as a script or partner system would be."""

    def __init__(self, user: User | None = None, *, token: str | None = None) -> None:
        self.client = HTTP
        self.headers: dict[str, str] = {}
        if user is not None and token is None:
            _, token = api_token_issue(actor=user, name="tests")
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(BASE + path, params, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(
            BASE + path, json.dumps(body, default=str), content_type="application/json", headers=self.headers
        )


def events(event_type: str) -> int:
    return AuditEvent.objects.filter(event_type=event_type).count()


def ruby(world: World) -> Person:
    """A looked-after 15-year-old placed by Council B (so the partner can see her)."""
    today = timezone.localdate()
    return person_create(
        actor=world.call_handler,
        data=PersonData(
            given_name="Ruby",
            family_name="Hartley",
            date_of_birth=today.replace(year=today.year - 15) - dt.timedelta(days=30),
            sex="female",
            looked_after=True,
            placing_authority=world.council_b,
        ),
        supplied_by="Oak House manager",
    )


def report_body(world: World, person: Person, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "person_id": person.pk,
        "district_id": world.north.pk,
        "missing_from_id": world.oak_house.pk,
        "reporting_person": {
            "name": "Jo Carer",
            "relationship": "Care home manager",
            "phone": "01234 567890",
        },
        "last_seen_at": (timezone.now() - dt.timedelta(hours=3)).isoformat(),
        "last_seen_place": "Oak House front door",
        "circumstances": "Did not return from school.",
        "call_handler_answers": {"why_worried": {"answer": "yes", "detail": "Out of character"}},
        "reasonable_steps": "Searched the house and called her friends.",
    }
    body.update(overrides)
    return body


def reported(world: World, person: Person | None = None) -> Episode:
    person = person or ruby(world)
    return actions.episode_report(
        actor=world.call_handler,
        person=person,
        data=actions.ReportData(
            district=world.north,
            missing_from=world.oak_house,
            reporting_person_name="Jo Carer",
            reporting_person_relationship="Care home manager",
            last_seen_at=timezone.now() - dt.timedelta(hours=3),
            last_seen_place="Oak House",
            circumstances="Did not return from school.",
            reasonable_steps="Searched the house.",
        ),
    )


def active(world: World) -> Episode:
    episode = reported(world)
    actions.risk_assessment_record(
        actor=world.call_handler,
        episode=episode,
        expected_version=episode.version,
        data=actions.RiskData(level="medium", rationale="Looked-after child, first time missing."),
    )
    episode.refresh_from_db()
    return episode


def found(world: World) -> Episode:
    episode = active(world)
    actions.episode_mark_found(
        actor=world.officer,
        episode=episode,
        expected_version=episode.version,
        data=actions.FoundData(
            found_at=timezone.now() - dt.timedelta(minutes=10),
            found_place="Town centre",
            how_found="police",
            condition="safe_well",
        ),
    )
    episode.refresh_from_db()
    return episode


def assert_422_at(response: Any, *loc: str | int) -> dict[str, Any]:
    assert response.status_code == 422, response.content
    issues = response.json()["detail"]
    matching = [i for i in issues if i["loc"] == ["body", "payload", *loc]]
    assert matching, issues
    return matching[0]


# --- Authentication -------------------------------------------------------------------------------


def test_token_authenticates_and_revoked_token_does_not(world: World) -> None:
    token, plaintext = api_token_issue(actor=world.call_handler, name="integration")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash != plaintext and plaintext not in stored.token_hash
    assert events("api_token.issued") == 1

    api = Api(token=plaintext)
    assert api.get("/episodes").status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at is not None

    api_token_revoke(actor=world.call_handler, token=stored)
    response = api.get("/episodes")
    assert response.status_code == 401
    assert response.json() == {"detail": "Sign in, or send a valid API token"}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_unknown_token_and_inactive_user_are_refused(world: World) -> None:
    assert Api(token="hw_not-a-real-token").get("/episodes").status_code == 401
    assert Api(token="garbage").get("/episodes").status_code == 401
    _, plaintext = api_token_issue(actor=world.officer, name="laptop")
    world.officer.is_active = False
    world.officer.save()
    assert Api(token=plaintext).get("/episodes").status_code == 401


def test_last_used_is_written_at_most_once_a_minute(world: World) -> None:
    token, plaintext = api_token_issue(actor=world.officer, name="laptop")
    api = Api(token=plaintext)
    recent = timezone.now() - dt.timedelta(seconds=20)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    api.get("/episodes")
    token.refresh_from_db()
    assert token.last_used_at == recent
    stale = timezone.now() - dt.timedelta(minutes=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=stale)
    api.get("/episodes")
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > stale


def test_api_token_command_prints_the_token_once_and_stores_its_hash(world: World) -> None:
    from io import StringIO

    from django.core.management import call_command

    out, err = StringIO(), StringIO()
    call_command("api_token", world.officer.username, name="ci", stdout=out, stderr=err)
    plaintext = out.getvalue().strip()
    assert plaintext.startswith("hw_")
    token = ApiToken.objects.get(user=world.officer, name="ci")
    assert plaintext not in token.token_hash
    assert Api(token=plaintext).get("/episodes").status_code == 200

    call_command("api_token", world.officer.username, revoke="ci", stdout=StringIO())
    assert Api(token=plaintext).get("/episodes").status_code == 401


def _all_operations() -> list[tuple[str, str]]:
    spec = HTTP.get(f"{BASE}/openapi.json").json()
    return [
        (
            method,
            path.replace("{episode_id}", "1").replace("{assessment_id}", "1").replace("{person_id}", "1"),
        )
        for path, item in spec["paths"].items()
        for method in item
    ]


def test_anonymous_gets_401_json_on_every_route(world: World) -> None:
    episode = reported(world)
    operations = _all_operations()
    assert len(operations) >= 10
    client = HTTP
    for method, path in operations:
        url = path.replace("/1", f"/{episode.pk}", 1) if path.startswith(f"{BASE}/episodes/") else path
        response = getattr(client, method)(
            url, "{}" if method == "post" else None, content_type="application/json"
        )
        assert response.status_code == 401, (method, url, response.content)
        assert response.json()["detail"]


def test_session_auth_needs_csrf_for_writes(world: World) -> None:
    episode = active(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.supervisor)
    assert client.get(f"{BASE}/episodes/{episode.pk}").status_code == 200

    body = json.dumps({"expected_version": episode.version, "note": "Content."})
    url = f"{BASE}/episodes/{episode.pk}/risk-assessments/{episode.risk_assessments.get().pk}/sign-off"
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert RiskAssessment.objects.get(episode=episode).signed_off_at is None

    # The CSRF cookie a page would have set, echoed in the header as a browser script does.
    csrf = get_random_string(32)
    client.cookies["csrftoken"] = csrf
    accepted = client.post(url, body, content_type="application/json", headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 200, accepted.content
    assert RiskAssessment.objects.get(episode=episode).signed_off_by == world.supervisor


# --- Report ---------------------------------------------------------------------------------------


def test_report_creates_a_reported_episode(world: World) -> None:
    person = ruby(world)
    response = Api(world.call_handler).post("/episodes", report_body(world, person))
    assert response.status_code == 201, response.content
    body = response.json()
    episode = Episode.objects.get()
    assert body["id"] == episode.pk
    assert body["reference"] == episode.reference and episode.reference.startswith("MP-")
    assert body["status"] == "reported" and body["version"] == 1
    assert body["person"]["full_name"] == "Ruby Hartley"
    assert body["missing_from"] == {
        "id": world.oak_house.pk,
        "name": "Oak House",
        "category": "childrens_home",
    }
    assert body["reporting_person"]["relationship"] == "Care home manager"
    assert body["risk_assessments"] == []
    assert episode.status == Status.REPORTED
    assert episode.reported_by == world.call_handler
    assert episode.force_id == world.force.pk
    assert episode.missing_from_category == "childrens_home"
    assert episode.call_handler_answers == {"why_worried": {"answer": "yes", "detail": "Out of character"}}
    assert events("episode.reported") == 1


def test_report_with_an_address_instead_of_premises(world: World) -> None:
    person = ruby(world)
    body = report_body(
        world,
        person,
        missing_from_id=None,
        missing_from_address="22 Birch Close",
        missing_from_category="private_home",
        reasonable_steps="",
    )
    response = Api(world.officer).post("/episodes", body)
    assert response.status_code == 201, response.content
    episode = Episode.objects.get()
    assert episode.missing_from is None and episode.missing_from_address == "22 Birch Close"


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"reasonable_steps": ""}, ("reasonable_steps",)),
        ({"reporting_person": {"name": " ", "relationship": "Mother"}}, ("reporting_person", "name")),
        ({"last_seen_place": ""}, ("last_seen_place",)),
        ({"last_seen_at": "2026-01-01T10:00:00"}, ("last_seen_at",)),
        ({"last_seen_at": (timezone.now() + dt.timedelta(days=1)).isoformat()}, ("last_seen_at",)),
        (
            {"call_handler_answers": {"why_worried": {"answer": "maybe"}}},
            ("call_handler_answers", "why_worried", "answer"),
        ),
        (
            {"call_handler_answers": {"favourite_colour": {"answer": "yes"}}},
            ("call_handler_answers", "favourite_colour", "[key]"),
        ),
        ({"missing_from_category": "castle"}, ("missing_from_category",)),
        ({"circumstances": "x" * 10_001}, ("circumstances",)),
        ({"missing_from_id": None, "missing_from_address": ""}, ("missing_from_id",)),
        ({"district_id": 999_999}, ("district_id",)),
        ({"missing_from_id": 999_999}, ("missing_from_id",)),
        ({"person_id": 999_999}, ("person_id",)),
    ],
)
def test_report_refuses_bad_input_and_writes_nothing(
    world: World, overrides: dict[str, Any], loc: tuple[str, ...]
) -> None:
    person = ruby(world)
    response = Api(world.call_handler).post("/episodes", report_body(world, person, **overrides))
    issue = assert_422_at(response, *loc)
    assert issue["msg"]
    assert not Episode.objects.exists()
    assert events("episode.reported") == 0


@pytest.mark.parametrize(
    "extra",
    [
        {"status": "closed"},
        {"force_id": 1},
        {"version": 7},
        {"reference": "MP-1"},
        {"reported_at": "2020-01-01T00:00:00Z"},
    ],
)
def test_report_rejects_unknown_or_forbidden_fields(world: World, extra: dict[str, Any]) -> None:
    person = ruby(world)
    response = Api(world.call_handler).post("/episodes", {**report_body(world, person), **extra})
    field = next(iter(extra))
    issue = assert_422_at(response, field)
    assert issue["type"] == "extra_forbidden"
    assert not Episode.objects.exists()


def test_report_rejects_unknown_nested_field(world: World) -> None:
    person = ruby(world)
    body = report_body(world, person)
    body["reporting_person"]["organisation_id"] = 3
    assert_422_at(Api(world.call_handler).post("/episodes", body), "reporting_person", "organisation_id")
    assert not Episode.objects.exists()


def test_district_of_another_force_is_refused_like_a_missing_one(world: World) -> None:
    other = Organisation.objects.create(name="Force Z", kind=OrganisationKind.POLICE_FORCE)
    elsewhere = District.objects.create(force=other, name="Far away")
    person = ruby(world)
    response = Api(world.call_handler).post("/episodes", report_body(world, person, district_id=elsewhere.pk))
    missing = Api(world.call_handler).post("/episodes", report_body(world, person, district_id=999_999))
    assert assert_422_at(response, "district_id")["msg"] == assert_422_at(missing, "district_id")["msg"]
    assert not Episode.objects.exists()


def test_role_without_report_capability_gets_403(world: World) -> None:
    person = ruby(world)  # placed by Council B, so the partner can see her
    response = Api(world.partner).post("/episodes", report_body(world, person))
    assert response.status_code == 403
    assert "cannot" in response.json()["detail"]
    assert not Episode.objects.exists()


def test_second_open_report_for_the_same_person_is_refused(world: World) -> None:
    episode = reported(world)
    response = Api(world.call_handler).post("/episodes", report_body(world, episode.person))
    assert_422_at(response, "person_id")
    assert Episode.objects.count() == 1


# --- Read and list --------------------------------------------------------------------------------


def test_read_episode(world: World) -> None:
    episode = active(world)
    response = Api(world.officer).get(f"/episodes/{episode.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == episode.version == 2
    assert body["status"] == "active" and body["status_label"] == "Active"
    assert body["risk_level"] == "medium"
    assert body["district"] == {"id": world.north.pk, "name": "North"}
    assert body["placing_authority"] == {"id": world.council_b.pk, "name": "Council B"}
    [assessment] = body["risk_assessments"]
    assert assessment["level_label"] == "Medium" and assessment["assessed_by"] == "Callie Tester"
    assert "fact_sources" not in body["person"] and "owner" not in body
    assert AuditEvent.objects.filter(
        event_type="episode.viewed", actor_user_id=world.officer.pk, object_ids=[str(episode.pk)]
    ).exists()


def test_partner_sees_the_episode_of_a_child_it_placed(world: World) -> None:
    episode = reported(world)
    assert Api(world.partner).get(f"/episodes/{episode.pk}").status_code == 200


def test_outsider_gets_404_identical_to_missing(world: World) -> None:
    episode = active(world)
    api = Api(world.outsider)
    hidden = api.get(f"/episodes/{episode.pk}")
    missing = api.get("/episodes/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "Not found"}
    listing = api.get("/episodes", status="open")
    assert listing.status_code == 200 and listing.json() == {"count": 0, "items": []}


def test_list_open_episodes(world: World) -> None:
    episode = active(world)
    response = Api(world.supervisor).get("/episodes", status="open")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["episode"]["id"] == episode.pk and item["episode"]["version"] == episode.version
    assert item["sign_off_pending"] is True and item["review_overdue"] is False
    assert events("episode.listed") == 1
    assert Api(world.supervisor).get("/episodes", district_id=world.south.pk).json()["count"] == 0
    assert Api(world.supervisor).get("/episodes", status="closed").status_code == 422


# --- Risk -----------------------------------------------------------------------------------------


def test_first_risk_assessment_makes_the_episode_active(world: World) -> None:
    episode = reported(world)
    body = {
        "expected_version": 1,
        "level": "high",
        "rationale": "Known to be at risk of exploitation.",
        "factors": {"sexual_exploitation": "yes", "preparation": "unknown"},
        "systems_checked": [{"system": "pnc", "result": "No trace"}],
    }
    response = Api(world.call_handler).post(f"/episodes/{episode.pk}/risk-assessments", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assessment = RiskAssessment.objects.get(episode=episode)
    assert data["risk_assessment"]["id"] == assessment.pk and data["risk_assessment"]["level"] == "high"
    assert data["episode"]["status"] == "active" and data["episode"]["version"] == 2
    assert assessment.factors == {"sexual_exploitation": "yes", "preparation": "unknown"}
    assert assessment.systems_checked == [
        {"system": "pnc", "result": "No trace", "checked_by": "Callie Tester"}
    ]
    episode.refresh_from_db()
    assert episode.status == Status.ACTIVE and episode.risk_level == "high" and episode.version == 2
    assert events("risk.assessed") == 1


def test_stale_version_is_a_409_conflict_listing_what_changed(world: World) -> None:
    episode = active(world)  # version 2: the client below still holds version 1
    body = {"expected_version": 1, "level": "high", "rationale": "Regrading after new information."}
    response = Api(world.officer).post(f"/episodes/{episode.pk}/risk-assessments", body)
    assert response.status_code == 409
    data = response.json()
    assert data["code"] == "edit_conflict" and data["current_version"] == 2
    assert [c["summary"] for c in data["changes"]] == ["Graded medium risk"]
    assert RiskAssessment.objects.filter(episode=episode).count() == 1
    episode.refresh_from_db()
    assert episode.risk_level == "medium" and episode.version == 2


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"level": "very_low"}, ("level",)),  # a child is never graded very low (local rule)
        ({"level": "catastrophic"}, ("level",)),
        ({"rationale": "short"}, ("rationale",)),
        ({"factors": {"suicide_risk": "perhaps"}}, ("factors", "suicide_risk")),
        ({"factors": {"star_sign": "yes"}}, ("factors", "star_sign", "[key]")),
        ({"systems_checked": [{"system": "google"}]}, ("systems_checked", 0, "system")),
        ({"expected_version": 0}, ("expected_version",)),
        ({"expected_version": None}, ("expected_version",)),
        ({"assessed_by": 1}, ("assessed_by",)),
    ],
)
def test_risk_assessment_refuses_bad_input(
    world: World, overrides: dict[str, Any], loc: tuple[Any, ...]
) -> None:
    episode = reported(world)
    body = {"expected_version": 1, "level": "medium", "rationale": "A clear enough rationale.", **overrides}
    assert_422_at(Api(world.call_handler).post(f"/episodes/{episode.pk}/risk-assessments", body), *loc)
    assert not RiskAssessment.objects.exists()
    episode.refresh_from_db()
    assert episode.status == Status.REPORTED and episode.version == 1


def test_expected_version_is_required(world: World) -> None:
    episode = reported(world)
    body = {"level": "medium", "rationale": "A clear enough rationale."}
    issue = assert_422_at(
        Api(world.call_handler).post(f"/episodes/{episode.pk}/risk-assessments", body), "expected_version"
    )
    assert issue["type"] == "missing"


def test_sign_off(world: World) -> None:
    episode = active(world)
    assessment = episode.risk_assessments.get()
    due = timezone.now() + dt.timedelta(hours=2)
    body = {
        "expected_version": episode.version,
        "note": "Research is thorough.",
        "next_review_due": due.isoformat(),
    }
    url = f"/episodes/{episode.pk}/risk-assessments/{assessment.pk}/sign-off"
    response = Api(world.supervisor).post(url, body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["risk_assessment"]["signed_off_by"] == "Sam Tester"
    assert data["episode"]["version"] == episode.version + 1 and data["episode"]["sign_off_due"] is None
    assessment.refresh_from_db()
    assert (
        assessment.signed_off_by == world.supervisor and assessment.sign_off_note == "Research is thorough."
    )
    assert assessment.next_review_due == due
    assert events("risk.signed_off") == 1

    again = Api(world.supervisor).post(url, {**body, "expected_version": episode.version + 1})
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"


def test_sign_off_needs_the_capability_and_the_right_episode(world: World) -> None:
    episode = active(world)
    assessment = episode.risk_assessments.get()
    body = {"expected_version": episode.version}
    url = f"/episodes/{episode.pk}/risk-assessments/{assessment.pk}/sign-off"
    assert Api(world.officer).post(url, body).status_code == 403

    other = reported(
        world, person_create(actor=world.officer, data=PersonData("Sam", "Other"), supplied_by="Mum")
    )
    wrong = Api(world.supervisor).post(
        f"/episodes/{other.pk}/risk-assessments/{assessment.pk}/sign-off", body
    )
    assert wrong.status_code == 404
    assessment.refresh_from_db()
    assert assessment.signed_off_at is None


def test_sign_off_refuses_a_review_time_in_the_past(world: World) -> None:
    episode = active(world)
    assessment = episode.risk_assessments.get()
    past = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    url = f"/episodes/{episode.pk}/risk-assessments/{assessment.pk}/sign-off"
    response = Api(world.supervisor).post(url, {"expected_version": episode.version, "next_review_due": past})
    assert_422_at(response, "next_review_due")
    assessment.refresh_from_db()
    assert assessment.signed_off_at is None


# --- Found and close ------------------------------------------------------------------------------


def found_body(episode: Episode, **overrides: Any) -> dict[str, Any]:
    return {
        "expected_version": episode.version,
        "found_at": (timezone.now() - dt.timedelta(minutes=20)).isoformat(),
        "found_place": "Bus station",
        "how_found": "police",
        "condition": "safe_well",
        "exploitation_indicators": ["cce"],
        **overrides,
    }


def test_mark_found(world: World) -> None:
    episode = active(world)
    response = Api(world.officer).post(f"/episodes/{episode.pk}/found", found_body(episode))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "found" and data["version"] == episode.version + 1 and data["found_at"]
    record = FoundRecord.objects.get(episode=episode)
    assert record.found_place == "Bus station" and record.exploitation_indicators == ["cce"]
    assert record.recorded_by == world.officer
    episode.refresh_from_db()
    assert episode.status == Status.FOUND
    assert events("episode.found") == 1


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"condition": "harmed"}, ("harm_details",)),
        ({"condition": "fine"}, ("condition",)),
        ({"how_found": "magic"}, ("how_found",)),
        ({"found_at": "2000-01-01T00:00:00Z"}, ("found_at",)),
        ({"exploitation_indicators": ["dementia"]}, ("exploitation_indicators", 0)),
        ({"withhold_whereabouts": True}, ("withhold_whereabouts",)),  # she is a child
        ({"found_location_id": 999_999}, ("found_location_id",)),
        ({"status": "found"}, ("status",)),
    ],
)
def test_mark_found_refuses_bad_input(world: World, overrides: dict[str, Any], loc: tuple[Any, ...]) -> None:
    episode = active(world)
    response = Api(world.officer).post(f"/episodes/{episode.pk}/found", found_body(episode, **overrides))
    assert_422_at(response, *loc)
    assert not FoundRecord.objects.exists()
    episode.refresh_from_db()
    assert episode.status == Status.ACTIVE


def test_found_before_any_risk_assessment_is_an_illegal_transition(world: World) -> None:
    episode = reported(world)
    response = Api(world.officer).post(f"/episodes/{episode.pk}/found", found_body(episode))
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert not FoundRecord.objects.exists()


def test_closing_an_active_episode_is_an_illegal_transition(world: World) -> None:
    episode = active(world)
    body = {"expected_version": episode.version, "prevention_not_done_reason": "Declined to speak to us."}
    response = Api(world.supervisor).post(f"/episodes/{episode.pk}/close", body)
    assert response.status_code == 409
    data = response.json()
    assert data["code"] == "illegal_transition" and "still missing" in data["detail"]
    episode.refresh_from_db()
    assert episode.status == Status.ACTIVE and episode.closed_at is None
    assert events("episode.closed") == 0


def test_close(world: World) -> None:
    episode = found(world)
    url = f"/episodes/{episode.pk}/close"
    missing_reason = Api(world.supervisor).post(url, {"expected_version": episode.version})
    assert_422_at(missing_reason, "prevention_not_done_reason")

    assert Api(world.officer).post(url, {"expected_version": episode.version}).status_code == 403

    body = {
        "expected_version": episode.version,
        "note": "Safe at home.",
        "prevention_not_done_reason": "Moved out of area the same day.",
    }
    response = Api(world.supervisor).post(url, body)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    episode.refresh_from_db()
    assert episode.status == Status.CLOSED and episode.closed_by == world.supervisor
    assert episode.closure_note == "Safe at home."
    assert EpisodeEvent.objects.filter(episode=episode, kind="closed").exists()
    assert events("episode.closed") == 1


def test_writes_to_another_forces_episode_are_404_and_write_nothing(world: World) -> None:
    other_force = Organisation.objects.create(name="Force D Police", kind=OrganisationKind.POLICE_FORCE)
    stranger = make_user("stella_stranger", other_force, Role.SUPERVISOR)
    episode = active(world)
    api = Api(stranger)
    assessment = episode.risk_assessments.get()
    for path, body in [
        (
            f"/episodes/{episode.pk}/risk-assessments",
            {"expected_version": 2, "level": "high", "rationale": "Ten chars or more"},
        ),
        (f"/episodes/{episode.pk}/risk-assessments/{assessment.pk}/sign-off", {"expected_version": 2}),
        (f"/episodes/{episode.pk}/found", found_body(episode)),
        (
            f"/episodes/{episode.pk}/close",
            {"expected_version": 2, "prevention_not_done_reason": "Not needed here."},
        ),
    ]:
        response = api.post(path, body)
        assert response.status_code == 404, (path, response.content)
        assert response.json() == {"detail": "Not found"}
    episode.refresh_from_db()
    assert episode.version == 2 and episode.status == Status.ACTIVE


# --- The spec -------------------------------------------------------------------------------------


def test_openapi_spec_describes_every_route_and_response(world: World) -> None:
    response = HTTP.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    spec = json.loads(response.content)
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "Homeward API"
    assert set(spec["paths"]) == {
        f"{BASE}/people/search",
        f"{BASE}/people/{{person_id}}",
        f"{BASE}/people",
        f"{BASE}/episodes",
        f"{BASE}/episodes/{{episode_id}}",
        f"{BASE}/episodes/{{episode_id}}/risk-assessments",
        f"{BASE}/episodes/{{episode_id}}/risk-assessments/{{assessment_id}}/sign-off",
        f"{BASE}/episodes/{{episode_id}}/found",
        f"{BASE}/episodes/{{episode_id}}/close",
    }
    assert {"TokenAuth", "SessionCsrfAuth"} <= set(spec["components"]["securitySchemes"])
    operation_ids = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            operation_ids.append(operation["operationId"])
            codes = set(operation["responses"])
            expected = {"401", "422"} | ({"403"} if method == "post" else set())
            if "{" in path or method == "post" and not path.endswith("search"):
                expected |= {"404"} if "{" in path else set()
            assert expected <= codes, (method, path, codes)
            if method == "post" and not path.endswith("search"):
                assert {"403", "404", "409", "422"} <= codes, (method, path)
            for code, described in operation["responses"].items():
                assert "application/json" in described["content"], (method, path, code)
            assert operation["security"], (method, path)
    assert len(operation_ids) == len(set(operation_ids)) == 10

    # Every $ref points at a schema that exists.
    text = json.dumps(spec)
    schemas = spec["components"]["schemas"]
    for ref in {part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]}:
        assert ref in schemas, ref
    report = schemas["ReportIn"]
    assert report["additionalProperties"] is False
    assert "status" not in report["properties"] and "force_id" not in report["properties"]
    assert schemas["RiskIn"]["properties"]["level"]["enum"] == ["very_low", "low", "medium", "high"]
    assert schemas["ConflictOut"]["properties"]["code"]["enum"] == [
        "edit_conflict",
        "illegal_transition",
        "idempotency_key_in_use",
    ]
