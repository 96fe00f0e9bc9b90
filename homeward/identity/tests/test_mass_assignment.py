"""Mass assignment (ACC-4, ARCHITECTURE habit 4): fields a form or endpoint does not offer change nothing.

Pages: each main edit form is opened as someone allowed to use it, posted back as the browser would
(what the page filled in, one real change, and a set of forbidden fields with hostile values:
another organisation, another force, another person, a status, a version, an id), and the record is
then read from the database: the real change was saved, the protected fields were not touched, and
the version moved on by exactly one.

API: every write operation in the OpenAPI spec, with a valid body plus one forbidden field at a time,
is refused 422 naming that field, and nothing is written.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django import forms
from django.db import models
from django.test import Client
from django.urls import reverse

import homeward
from homeward.api import api
from homeward.conftest import World, make_user
from homeward.episodes.tests.factories import make_adult
from homeward.identity.models import Organisation, OrganisationKind, User
from homeward.identity.roles import Role
from homeward.identity.tests.route_records import Records, build_records
from homeward.identity.tests.test_route_access import WRITE_METHODS, _api_body, _writes_so_far, api_routes

pytestmark = pytest.mark.django_db


class _FormFields(HTMLParser):
    """What a browser would submit from the page's first form posting to the page itself: inputs, checked boxes, selected
    options and textareas, with the values the page filled in."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.data: dict[str, list[str]] = {}
        self._in_form = self._done = False
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if self._done:
            return
        if tag == "form" and a.get("method", "").lower() == "post" and a.get("action", "") in ("", self.url):
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self.data.setdefault(name, []).append(a.get("value", default))
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            if self._select_first is None:
                self._select_first = a.get("value", "")
            if "selected" in a:
                self.data.setdefault(self._select, []).append(a.get("value", ""))
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._in_form:
            self._in_form, self._done = False, True
        elif tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self.data[self._select] = [self._select_first]
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data[self._textarea] = ["".join(self._text).lstrip("\n")]
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)


def form_on_page(client: Client, url: str) -> dict[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    parser = _FormFields(url)
    parser.feed(response.content.decode())
    assert parser.data, f"no POST form on {url}"
    return parser.data


@dataclass
class Hostile:
    """Values an attacker would like to assign: someone else's organisation, force, person and user."""

    organisation: Organisation
    force: Organisation
    user: User
    person_id: int

    def fields(self, *, allowed: tuple[str, ...]) -> dict[str, str]:
        values = {
            "id": "999999",
            "pk": "999999",
            "organisation": self.organisation.pk,
            "organisation_id": self.organisation.pk,
            "agency_id": self.organisation.pk,
            "force": self.force.pk,
            "force_id": self.force.pk,
            "owner": self.user.pk,
            "owner_id": self.user.pk,
            "created_by": self.user.pk,
            "person": self.person_id,
            "person_id": self.person_id,
            "episode": "999999",
            "status": "closed",
            "version": "999",
            "reference": "HACKED-1",
            "holder": self.organisation.pk,
            "merged_into": self.person_id,
        }
        return {k: str(v) for k, v in values.items() if k not in allowed}


@pytest.fixture
def hostile(world: World) -> Hostile:
    force_z = Organisation.objects.create(name="Force Z Police", kind=OrganisationKind.POLICE_FORCE)
    return Hostile(
        organisation=world.council_c,
        force=force_z,
        user=world.outsider,
        person_id=make_adult(world, "Mallory", "Stone").pk,
    )


@dataclass
class EditCase:
    route: str
    record: str  # the Records attribute edited
    actor: Callable[[World, Records], User]
    change: dict[str, str]  # one real change, proving the save went through
    protected: tuple[str, ...]  # fields no post to this form may change
    # Fields the form itself offers under a forbidden-looking name (posted with the page's value).
    offers: tuple[str, ...] = ("version",)
    changed: Callable[[models.Model], bool] = field(default=lambda obj: True)


EDIT_CASES = [
    EditCase(
        "person_edit",
        "person",
        lambda w, r: w.supervisor,
        {"hair": "Dyed red", "supplied_by": "Her key worker"},
        ("id", "owner", "force", "merged_into", "placing_authority", "home_district"),
        changed=lambda p: p.hair == "Dyed red",  # type: ignore[attr-defined]
    ),
    EditCase(
        "risk_new",
        "episode",
        lambda w, r: w.supervisor,
        {"level": "medium", "rationale": "Seen on CCTV at the station, with friends."},
        ("id", "reference", "person", "force", "district", "status", "reported_by", "placing_authority"),
        changed=lambda e: e.risk_level == "medium",  # type: ignore[attr-defined]
    ),
    EditCase(
        "enquiry_edit",
        "enquiry",
        lambda w, r: w.officer,
        {"status": "done", "result": "Nothing on the CCTV."},
        ("id", "episode", "owner", "created_by", "description"),
        offers=("version", "status"),
        changed=lambda q: q.result == "Nothing on the CCTV.",  # type: ignore[attr-defined]
    ),
    EditCase(
        "prevention:plan_edit",
        "plan",
        lambda w, r: r.coordinator,
        {"approach": "Key worker rings Jade's mum first."},
        ("id", "kind", "person", "location", "organisation", "status", "created_by", "closed_by"),
        changed=lambda p: p.approach == "Key worker rings Jade's mum first.",  # type: ignore[attr-defined]
    ),
    EditCase(
        "prevention:initiative_edit",
        "initiative",
        lambda w, r: r.coordinator,
        {"aims": "Fewer children missing from the station."},
        ("id", "force", "created_by"),
        changed=lambda i: i.aims == "Fewer children missing from the station.",  # type: ignore[attr-defined]
    ),
    EditCase(
        "prevention:action_outcome",
        "action",
        lambda w, r: r.coordinator,
        {"status": "done", "outcome": "Screening tool completed."},
        ("id", "plan", "meeting", "owner", "owner_organisation", "created_by", "description"),
        offers=("version", "status"),
        changed=lambda a: a.outcome == "Screening tool completed.",  # type: ignore[attr-defined]
    ),
    EditCase(
        "protocols:edit",
        "profile",
        lambda w, r: w.care_staff,
        {"routines": "College Monday to Wednesday."},
        ("id", "person", "scheme", "holder", "active", "created_by", "photo"),
        changed=lambda p: p.routines == "College Monday to Wednesday.",  # type: ignore[attr-defined]
    ),
]


def _errors(html: str) -> str:
    """The page's error messages, for a failing assertion."""
    return (
        " | ".join(
            re.sub(r"<[^>]+>", "", m).strip()
            for m in re.findall(r'govuk-error-message">(.*?)</p>', html, re.S)
        )
        or html[-3000:]
    )


def _snapshot(obj: models.Model, names: tuple[str, ...]) -> dict[str, Any]:
    obj.refresh_from_db()
    return {name: getattr(obj, obj._meta.get_field(name).attname) for name in names}  # type: ignore[union-attr]


@pytest.mark.parametrize("case", EDIT_CASES, ids=[c.route for c in EDIT_CASES])
def test_forbidden_fields_posted_to_an_edit_form_change_nothing(client, world, hostile, case):
    records = build_records(world)
    obj = getattr(records, case.record)
    client.force_login(case.actor(world, records))
    url = reverse(case.route, args=[obj.pk])
    data: dict[str, Any] = form_on_page(client, url)
    data.update(case.change)
    data.update(hostile.fields(allowed=case.offers))
    before = _snapshot(obj, case.protected)
    version = obj.version

    response = client.post(url, data)

    assert response.status_code == 302, _errors(response.content.decode())
    assert _snapshot(obj, case.protected) == before
    assert obj.version == version + 1
    assert case.changed(obj)


# --- API --------------------------------------------------------------------------------------------

FORBIDDEN_API_FIELDS = {
    "id": 999999,
    "status": "closed",
    "version": 999,
    "force_id": 1,
    "organisation_id": 1,
    "agency_id": 1,
    "owner": 1,
    "owner_id": 1,
    "reference": "HACKED-1",
    "created_by": 1,
    "reported_by": 1,
}


def test_every_api_write_refuses_forbidden_fields_and_writes_nothing(world):
    """Each write operation in the spec: a valid body plus one forbidden field is a 422 naming it."""
    records = build_records(world)
    client = Client()
    client.force_login(make_user("sue_supervisor", world.force, Role.SUPERVISOR, world.north))
    writes = [r for r in api_routes() if r.methods[0] in WRITE_METHODS]
    assert len(writes) >= 6
    for route in writes:
        ids = {"person_id": records.person.pk, "episode_id": records.episode.pk}
        ids["assessment_id"] = records.assessment.pk
        body = _api_body(route, records, world)
        for key, value in FORBIDDEN_API_FIELDS.items():
            before = _writes_so_far()
            response = client.generic(
                route.methods[0],
                route.path(ids),
                data=json.dumps({**body, key: value}),
                content_type="application/json",
            )
            assert response.status_code == 422, (route.name, key, response.status_code)
            assert any(issue["loc"][-1] == key for issue in response.json()["detail"]), (route.name, key)
            assert _writes_so_far() == before, (route.name, key)


def test_a_stale_or_invented_version_is_a_conflict_not_an_assignment(client, world):
    """`version` on a form is the version the user read: checked, never stored."""
    records = build_records(world)
    client.force_login(world.supervisor)
    url = reverse("person_edit", args=[records.person.pk])
    data: dict[str, Any] = form_on_page(client, url)
    data.update({"hair": "Shaved", "supplied_by": "Her key worker", "version": "999"})
    response = client.post(url, data)
    assert response.status_code in (200, 409)
    records.person.refresh_from_db()
    assert records.person.version == 1 and records.person.hair != "Shaved"


# --- Every form and every request body, statically ----------------------------------------------------

# Form fields with names that look protected, and why each is allowed.
FORM_FIELDS_ALLOWED = {
    "version": "the version the user read, checked by the action (a conflict if stale), never stored",
    "owner": "who an enquiry or action is given to: the action checks they work for the right organisation",
    "status": "an enquiry's, action's, referral's or sighting's own outcome: the action checks the transition",
    "reference": "the missing persons unit's reference, not the episode's",
}
PROTECTED_NAMES = {
    "id",
    "pk",
    "organisation",
    "organisation_id",
    "agency_id",
    "force",
    "force_id",
    "owner",
    "owner_id",
    "status",
    "version",
    "person_id",
    "created_by",
    "reference",
    "holder",
    "merged_into",
}


def _project_forms() -> list[type[forms.BaseForm]]:
    found = []
    for module_info in pkgutil.iter_modules(homeward.__path__):
        try:
            module = importlib.import_module(f"homeward.{module_info.name}.forms")
        except ModuleNotFoundError:
            continue
        found += [
            c
            for _, c in inspect.getmembers(module, inspect.isclass)
            if issubclass(c, forms.BaseForm) and c.__module__ == module.__name__
        ]
    return found


def test_no_form_binds_to_a_model_or_offers_a_protected_field_without_a_reason():
    project_forms = _project_forms()
    assert len(project_forms) > 40
    for form in project_forms:
        assert not issubclass(form, forms.BaseModelForm), f"{form}: use a plain form and an action"
        offered = set(getattr(form, "base_fields", {}))
        unexplained = (PROTECTED_NAMES & offered) - set(FORM_FIELDS_ALLOWED)
        assert not unexplained, (form, unexplained)


def test_every_api_request_body_refuses_unknown_fields():
    """Every object in every request body of the spec (nested ones included) has additionalProperties
    false: pydantic's extra="forbid" (homeward.api_base.StrictInput)."""
    spec = api.get_openapi_schema()
    components = spec["components"]["schemas"]
    seen: set[str] = set()

    def visit(schema: dict[str, Any]) -> None:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                visit(components[name])
            return
        if schema.get("type") == "object" and "properties" in schema:
            assert schema.get("additionalProperties") is False, schema.get("title")
        for value in schema.values():
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, dict):
                    visit(child)

    bodies = 0
    for operations in spec["paths"].values():
        for operation in operations.values():
            body = operation.get("requestBody")
            if body:
                visit(body["content"]["application/json"]["schema"])
                bodies += 1
    assert bodies >= 7 and seen
