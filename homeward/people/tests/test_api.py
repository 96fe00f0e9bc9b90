"""The people JSON API, over full requests: find before create, read, create."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from homeward.audit.models import AuditEvent
from homeward.conftest import World
from homeward.identity.api_tokens import api_token_issue
from homeward.identity.models import User
from homeward.people.actions import PersonData, person_create
from homeward.people.models import Person, PersonAlias, PersonMarker

pytestmark = pytest.mark.django_db

BASE = "/api/v1"
# One test client for every token-authenticated call: tokens travel in headers, so no cookie state is shared.
HTTP = Client()


class Api:
    """A JSON client signed in with an API token."""

    def __init__(self, user: User | None = None) -> None:
        self.client = HTTP
        self.headers: dict[str, str] = {}
        if user is not None:
            _, token = api_token_issue(actor=user, name="tests")
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str) -> Any:
        return self.client.get(BASE + path, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(
            BASE + path, json.dumps(body, default=str), content_type="application/json", headers=self.headers
        )


def events(event_type: str) -> int:
    return AuditEvent.objects.filter(event_type=event_type).count()


def assert_422_at(response: Any, *loc: str | int) -> dict[str, Any]:
    assert response.status_code == 422, response.content
    issues = response.json()["detail"]
    matching = [i for i in issues if i["loc"] == ["body", "payload", *loc]]
    assert matching, issues
    return matching[0]


@pytest.fixture
def ruby(world: World) -> Person:
    return person_create(
        actor=world.call_handler,
        data=PersonData(
            given_name="Ruby",
            family_name="Hartley",
            date_of_birth=dt.date(2010, 5, 17),
            sex="female",
            looked_after=True,
            placing_authority=world.council_b,
            aliases=[("Rubes", "Hart")],
            markers=["cse"],
        ),
        supplied_by="Oak House manager",
    )


def create_body(**overrides: Any) -> dict[str, Any]:
    return {
        "given_name": "Tom",
        "family_name": "Okafor",
        "date_of_birth": "2009-02-03",
        "sex": "male",
        "ethnicity": "B2",
        "height_cm": 170,
        "hair": "Short black",
        "aliases": [{"given_name": "Tommy", "family_name": ""}],
        "markers": ["cce"],
        "supplied_by": "His mother, Grace Okafor",
        **overrides,
    }


# --- Authentication and scope ---------------------------------------------------------------------


def test_anonymous_gets_401_on_every_people_route(ruby: Person) -> None:
    client = HTTP
    for method, path in [
        ("post", "/people/search"),
        ("get", f"/people/{ruby.pk}"),
        ("post", "/people"),
    ]:
        response = getattr(client, method)(
            BASE + path, "{}" if method == "post" else None, content_type="application/json"
        )
        assert response.status_code == 401, (method, path)
        assert response.json()["detail"]


def test_unknown_api_urls_get_json_404(world: World) -> None:
    api = Api(world.officer)
    for path in ("/people/abc", "/nothing-here", "/episodes/1/unknown"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found"}


# --- Search ---------------------------------------------------------------------------------------


def test_search_finds_an_exact_name(world: World, ruby: Person) -> None:
    response = Api(world.officer).post("/people/search", {"given_name": "Ruby", "family_name": "Hartley"})
    assert response.status_code == 200, response.content
    [candidate] = [c for c in response.json()["candidates"] if c["person"]["id"] == ruby.pk]
    assert candidate["person"]["full_name"] == "Ruby Hartley"
    assert candidate["person"]["date_of_birth"] == "2010-05-17"
    assert isinstance(candidate["score"], float) and candidate["score"] > 0
    assert isinstance(candidate["reasons"], list)
    assert set(candidate["person"]) == {
        "id",
        "given_name",
        "family_name",
        "full_name",
        "date_of_birth",
        "estimated_age",
        "age",
        "sex",
        "looked_after",
    }
    searches = AuditEvent.objects.filter(event_type="person.searched", actor_user_id=world.officer.pk)
    assert [str(ruby.pk)] in [[i for i in e.object_ids if i == str(ruby.pk)] for e in searches]


def test_outsider_search_finds_nothing(world: World, ruby: Person) -> None:
    response = Api(world.outsider).post("/people/search", {"given_name": "Ruby", "family_name": "Hartley"})
    assert response.status_code == 200
    assert response.json() == {"candidates": []}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"birth_year": 2010}, ()),
        ({"given_name": "Ruby", "birth_day": 31, "birth_month": 2, "birth_year": 2010}, ()),
        ({"given_name": "Ruby", "birth_month": 13}, ("birth_month",)),
        ({"given_name": "R" * 101}, ("given_name",)),
        ({"given_name": "Ruby", "force_id": 1}, ("force_id",)),
        ({"given_name": "Ruby", "age": -1}, ("age",)),
    ],
)
def test_search_refuses_bad_input(world: World, body: dict[str, Any], loc: tuple[str, ...]) -> None:
    issue = assert_422_at(Api(world.officer).post("/people/search", body), *loc)
    assert issue["msg"] and "Value error" not in issue["msg"]
    assert events("person.searched") == 0


def test_search_is_a_post_so_names_stay_out_of_urls(world: World) -> None:
    response = Api(world.officer).get("/people/search?given_name=Ruby")
    assert response.status_code == 405


# --- Read -----------------------------------------------------------------------------------------


def test_read_person(world: World, ruby: Person) -> None:
    response = Api(world.officer).get(f"/people/{ruby.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["full_name"] == "Ruby Hartley" and body["sex"] == "female"
    assert body["placing_authority"] == {"id": world.council_b.pk, "name": "Council B"}
    assert body["aliases"] == [{"given_name": "Rubes", "family_name": "Hart", "is_nickname": False}]
    assert body["markers"] == [{"marker": "cse", "detail": "", "active": True}]
    assert body["version"] == 1
    assert "fact_sources" not in body and "owner" not in body and "force" not in body
    assert AuditEvent.objects.filter(
        event_type="person.viewed", actor_user_id=world.officer.pk, object_ids=[str(ruby.pk)]
    ).exists()


def test_partner_reads_a_child_it_placed(world: World, ruby: Person) -> None:
    assert Api(world.partner).get(f"/people/{ruby.pk}").status_code == 200


def test_outsider_gets_404_identical_to_missing(world: World, ruby: Person) -> None:
    api = Api(world.outsider)
    hidden, missing = api.get(f"/people/{ruby.pk}"), api.get("/people/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert events("person.viewed") == 0


# --- Create ---------------------------------------------------------------------------------------


def test_create_person(world: World) -> None:
    response = Api(world.call_handler).post("/people", create_body(home_district_id=world.south.pk))
    assert response.status_code == 201, response.content
    body = response.json()
    person = Person.objects.get(pk=body["id"])
    assert body["full_name"] == "Tom Okafor" and body["home_district"] == {
        "id": world.south.pk,
        "name": "South",
    }
    assert (
        person.date_of_birth == dt.date(2009, 2, 3) and person.ethnicity == "B2" and person.height_cm == 170
    )
    assert person.owner == world.force and person.force == world.force
    assert person.fact_sources["height_cm"]["by"] == "His mother, Grace Okafor"
    assert PersonAlias.objects.filter(person=person, given_name="Tommy").exists()
    assert PersonMarker.objects.filter(person=person, marker="cce").exists()
    assert AuditEvent.objects.filter(
        event_type="person.created", actor_user_id=world.call_handler.pk, object_ids=[str(person.pk)]
    ).exists()
    # Found again by the search it will be matched with before the next report.
    found = Api(world.call_handler).post("/people/search", {"given_name": "Tom", "family_name": "Okafor"})
    assert person.pk in [c["person"]["id"] for c in found.json()["candidates"]]


def test_create_looked_after_child(world: World) -> None:
    body = create_body(looked_after=True, placing_authority_id=world.council_b.pk)
    response = Api(world.officer).post("/people", body)
    assert response.status_code == 201, response.content
    assert Person.objects.get(pk=response.json()["id"]).placing_authority == world.council_b


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"given_name": ""}, ("given_name",)),
        ({"supplied_by": ""}, ("supplied_by",)),
        ({"sex": "other"}, ("sex",)),
        ({"ethnicity": "ZZ"}, ("ethnicity",)),
        ({"markers": ["nosy"]}, ("markers", 0)),
        ({"height_cm": 999}, ("height_cm",)),
        ({"date_of_birth": "2999-01-01"}, ("date_of_birth",)),
        ({"estimated_age": 15}, ()),  # as well as a date of birth
        ({"looked_after": True}, ("placing_authority_id",)),
        ({"looked_after": True, "placing_authority_id": 999_999}, ("placing_authority_id",)),
        ({"home_district_id": 999_999}, ("home_district_id",)),
        ({"owner_id": 1}, ("owner_id",)),
        ({"force_id": 1}, ("force_id",)),
        ({"version": 3}, ("version",)),
        ({"aliases": [{"given_name": "A", "nickname": True}]}, ("aliases", 0, "nickname")),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(
    world: World, overrides: dict[str, Any], loc: tuple[Any, ...]
) -> None:
    assert_422_at(Api(world.call_handler).post("/people", create_body(**overrides)), *loc)
    assert not Person.objects.exists()
    assert events("person.created") == 0


def test_role_without_create_capability_gets_403(world: World) -> None:
    response = Api(world.partner).post("/people", create_body())
    assert response.status_code == 403
    assert not Person.objects.exists()
