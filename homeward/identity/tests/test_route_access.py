"""Every route, generated from the URL resolver and the OpenAPI spec (ACC-2, ARCHITECTURE habit 3).

For every page route (GET and POST, the methods a form can send) and every API operation (the methods
the spec lists), with path arguments that are ids of real Force A records:

- anonymous → the sign-in page (pages) or 401 (API);
- an outsider (Council C, and a police officer of another force) → 404, exactly as for a missing id;
- Force A's read-only role (analyst) → 403 on every write.

The password-only case (signed in without the second factor) is test_every_route_needs_both_factors.py.

A route is either checked here or listed below with a reason. A new route that is in neither fails
`test_every_route_is_checked_or_listed_with_a_reason`, so nobody has to remember to add a test.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from homeward.api import api
from homeward.audit.models import AuditEvent, Operation
from homeward.conftest import World, make_user
from homeward.identity.models import Organisation, OrganisationKind
from homeward.identity.roles import Role
from homeward.identity.tests.route_records import MISSING_ID, Records, build_records

pytestmark = pytest.mark.django_db

API_PREFIX = "/api/v1"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# --- The tables: everything not generated is here, with a reason ----------------------------------

# Open to anyone, signed in or not.
PUBLIC: dict[str, str] = {
    "login": "the sign-in page itself",
    "logout": "signing out must work whatever state the session is in",
    "api-v1:openapi-json": "the API's description: no personal data, needed by clients before they sign in",
    "api-v1:api-root": "not an endpoint: answers 404 to everyone",
    "api-v1:_no_such_route": "the API's catch-all: answers 404 (JSON) to everyone",
}

# Each path argument of each record-scoped page route, and the kind of record it names (an attribute
# of route_records.Records). A new route with path arguments must be added here.
PAGE_RECORD_ARGS: dict[str, dict[str, str]] = {
    "report_circumstances": {"person_id": "person"},
    "episode_detail": {"pk": "episode"},
    "risk_new": {"pk": "episode"},
    "risk_sign_off": {"pk": "episode", "assessment_id": "assessment"},
    "found_new": {"pk": "episode"},
    "interview_new": {"pk": "episode"},
    "episode_close": {"pk": "episode"},
    "not_recorded": {"pk": "episode"},
    "long_term": {"pk": "episode"},
    "mpu_notified": {"pk": "episode"},
    "clock_alert_acknowledge": {"pk": "clock_alert"},
    "update_add": {"pk": "episode"},
    "enquiry_add": {"pk": "episode"},
    "sighting_new": {"pk": "episode"},
    "enquiry_edit": {"pk": "enquiry"},
    "escalation_new": {"pk": "episode"},
    "escalation_decide": {"pk": "escalation"},
    "person_detail": {"pk": "person"},
    "person_add_fact": {"pk": "person"},
    "person_edit": {"pk": "person"},
    "person_add_address": {"pk": "person"},
    "person_add_photo": {"pk": "person"},
    "person_merge": {"pk": "person"},
    "dataprotection:person": {"pk": "person"},
    "dataprotection:subject_access_export": {"pk": "person"},
    "dataprotection:retain": {"pk": "person"},
    "dataprotection:erase": {"pk": "person"},
    "dataprotection:episode_in_error": {"pk": "episode"},
    "person_photo": {"pk": "photo"},
    "location_detail": {"pk": "location"},
    "locality_assessment_new": {"pk": "location"},
    "notifications:mark_read": {"pk": "notification"},
    "protocols:create": {"person_id": "person"},
    "protocols:detail": {"pk": "profile"},
    "protocols:edit": {"pk": "profile"},
    "protocols:review": {"pk": "profile"},
    "protocols:photo": {"pk": "profile"},
    "protocols:photo_add": {"pk": "profile"},
    "protocols:transfer": {"pk": "profile"},
    "protocols:close": {"pk": "profile"},
    "protocols:report_new": {"pk": "profile"},
    "protocols:report_detail": {"pk": "profile_report"},
    "protocols:report_start": {"pk": "profile_report"},
    "protocols:report_link": {"pk": "profile_report"},
    "protocols:report_withdraw": {"pk": "profile_report"},
    "returns:claim": {"pk": "rhi"},
    "returns:decide": {"pk": "finding"},
    "returns:detail": {"pk": "rhi"},
    "returns:assign": {"pk": "rhi"},
    "returns:offer": {"pk": "rhi"},
    "returns:outcome": {"pk": "rhi"},
    "returns:propose": {"pk": "rhi"},
    "prevention:plan_detail": {"pk": "plan"},
    "prevention:plan_edit": {"pk": "plan"},
    "prevention:plan_close": {"pk": "plan"},
    "prevention:plan_action_new": {"pk": "plan"},
    "prevention:meeting_detail": {"pk": "meeting"},
    "prevention:meeting_record": {"pk": "meeting"},
    "prevention:meeting_action_new": {"pk": "meeting"},
    "prevention:action_outcome": {"pk": "action"},
    "prevention:referral_detail": {"pk": "referral"},
    "prevention:initiative_edit": {"pk": "initiative"},
    "families:contact_new": {"episode_id": "episode"},
    "chronology:person": {"pk": "person"},
    "insights:delivered": {"pk": "delivered"},
    # Account administration: a Force A account. Another organisation's administrator getting 404 is
    # tested in identity/tests/test_account_admin.py (the outsiders here are not administrators).
    "accounts:detail": {"pk": "coordinator"},
    "accounts:role": {"pk": "coordinator"},
    "accounts:deactivate": {"pk": "coordinator"},
    "accounts:reactivate": {"pk": "coordinator"},
    "accounts:mfa_reset": {"pk": "coordinator"},
    "audit:breach_detail": {"pk": "breach_incident"},
    "audit:breach_edit": {"pk": "breach_incident"},
    "audit:breach_report": {"pk": "breach_incident"},
    "audit:breach_close": {"pk": "breach_incident"},
    "audit:breach_who_saw_what": {"pk": "breach_incident"},
    "audit:breach_account": {"pk": "breach_incident"},
}

# API path arguments, by name, and the record kind each names.
API_RECORD_ARGS: dict[str, str] = {
    "person_id": "person",
    "episode_id": "episode",
    "assessment_id": "assessment",
}

# Writes any signed-in person may make, the read-only role included, each with the reason.
WRITES_OPEN_TO_EVERYONE: dict[str, str] = {
    "mfa_verify": "the sign-in code step",
    "mfa_enrol": "setting up one's own authenticator on first sign-in",
    "reauthenticate": "confirming one's own password and code (step-up)",
    "account_security": "one's own sign-in settings",
    "password_change": "changing one's own password",
    "backup_codes_renew": "one's own backup codes",
    "authenticator_replace": "moving one's own authenticator to a new phone",
    "person_search": "a search, sent by POST so names stay out of URLs (DEP-3): a read",
    "api-v1:POST /people/search": "a search, sent by POST so names stay out of URLs (DEP-3): a read",
    "insights:subscriptions": "an analyst subscribes to the weekly datasets for themself",
}


# --- The routes, generated ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # the URL name (pages) or "api-v1:METHOD /path" (API operations)
    template: str  # the path, with <arg> (pages) or {arg} (API) placeholders
    args: tuple[str, ...]
    methods: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api-v1:")

    def path(self, ids: dict[str, int]) -> str:
        if self.is_api:
            return API_PREFIX + re.sub(
                r"\{(?:\w+:)?(\w+)\}", lambda m: str(ids[str(m.group(1))]), self.template
            )
        return reverse(self.name, kwargs={arg: ids[arg] for arg in self.args})


def resolver_names() -> set[str]:
    """Every named route the resolver knows, API included."""
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, ns)
            elif isinstance(entry, URLPattern):
                assert entry.name, f"an unnamed route cannot be checked: {entry.pattern}"
                names.add(namespace + entry.name)

    walk(get_resolver().url_patterns, "")
    return names


def page_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns: list[Any], namespace: str, args: list[str]) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "api-v1":
                    continue  # API operations come from the OpenAPI spec
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, ns, args + list(entry.pattern.regex.groupindex))
            elif isinstance(entry, URLPattern) and entry.name:
                name = namespace + entry.name
                routes.append(
                    Route(name, name, tuple(args + list(entry.pattern.regex.groupindex)), ("GET", "POST"))
                )

    walk(get_resolver().url_patterns, "", [])
    return routes


def api_routes() -> list[Route]:
    spec = api.get_openapi_schema()
    routes = []
    for path, operations in spec["paths"].items():
        rel = path.removeprefix(API_PREFIX)
        args = tuple(re.findall(r"\{(?:\w+:)?(\w+)\}", rel))
        for method in operations:
            routes.append(Route(f"api-v1:{method.upper()} {rel}", rel, args, (method.upper(),)))
    return routes


def api_url_names_covered_by_spec() -> set[str]:
    """The resolver's names for the API paths the spec describes (matched on the path's shape)."""

    def shape(path: str) -> str:
        return re.sub(r"[<{][^>}]+[>}]", "{}", path).strip("/")

    spec_paths = {shape(r.template) for r in api_routes()}
    names = set()
    for entry in api.urls[0]:
        if isinstance(entry, URLPattern) and entry.name and shape(str(entry.pattern)) in spec_paths:
            names.add(f"api-v1:{entry.name}")
    return names


def all_routes() -> list[Route]:
    return page_routes() + api_routes()


def ids_for(route: Route, records: Records | None) -> dict[str, int]:
    """The route's path arguments: ids of Force A's records, or a missing id for every one."""
    kinds = (
        PAGE_RECORD_ARGS.get(route.name, {})
        if not route.is_api
        else {a: API_RECORD_ARGS[a] for a in route.args}
    )
    return {arg: (getattr(records, kinds[arg]).pk if records else MISSING_ID) for arg in route.args}


# --- Requests ----------------------------------------------------------------------------------------

# A valid body for each API write, so the refusal tested is about access and not about the body
# (the schema is checked before the view runs, and would otherwise answer 422 first).


def _api_body(route: Route, records: Records | None, world: World) -> dict[str, Any]:
    now = timezone.now()
    episode_version = records.episode.version if records else 1
    bodies: dict[str, dict[str, Any]] = {
        "POST /people/search": {"given_name": "Ruby", "family_name": "Hartley"},
        "POST /people": {
            "given_name": "Zara",
            "family_name": "Quinn",
            "estimated_age": 30,
            "sex": "female",
            "supplied_by": "Her sister",
        },
        "POST /episodes": {
            "person_id": records.person.pk if records else MISSING_ID,
            "district_id": world.north.pk,
            "reporting_person": {"name": "Jo", "relationship": "Mother"},
            "last_seen_at": (now.replace(microsecond=0)).isoformat(),
            "last_seen_place": "Home",
            "circumstances": "Did not come home.",
        },
        "POST /episodes/{episode_id}/risk-assessments": {
            "expected_version": episode_version,
            "level": "medium",
            "rationale": "Regraded after new information.",
        },
        "POST /episodes/{episode_id}/risk-assessments/{assessment_id}/sign-off": {
            "expected_version": episode_version
        },
        "POST /episodes/{episode_id}/found": {
            "expected_version": episode_version,
            "found_at": now.isoformat(),
            "found_place": "Town centre",
            "how_found": "police",
            "condition": "safe_well",
        },
        "POST /episodes/{episode_id}/close": {"expected_version": episode_version},
    }
    key = route.name.removeprefix("api-v1:")
    assert key in bodies, f"add a valid body for {key} to _api_body"
    return bodies[key]


def call(
    client: Client, route: Route, method: str, ids: dict[str, int], world: World, records: Records | None
) -> Any:
    path = route.path(ids)
    if route.is_api and method in WRITE_METHODS:
        return client.generic(
            method, path, data=json.dumps(_api_body(route, records, world)), content_type="application/json"
        )
    return client.generic(method, path)


def _checked(routes: list[Route], skip: Callable[[Route], bool]) -> list[Route]:
    return [r for r in routes if r.name not in PUBLIC and not skip(r)]


@pytest.fixture
def records(world: World) -> Records:
    return build_records(world)


# --- The tests ---------------------------------------------------------------------------------------


def test_every_route_is_checked_or_listed_with_a_reason():
    """The set of routes the resolver and the spec know equals the set these tests cover."""
    seen = resolver_names() | {r.name for r in api_routes()}
    generated = {r.name for r in all_routes() if not r.args or r.name in PAGE_RECORD_ARGS or r.is_api}
    # The resolver's names for API operations are covered by the spec's operations.
    covered = generated | set(PUBLIC) | api_url_names_covered_by_spec()
    missing = seen - covered
    assert not missing, (
        f"routes without access tests (add them to PAGE_RECORD_ARGS or PUBLIC): {sorted(missing)}"
    )
    stale = (set(PAGE_RECORD_ARGS) | set(PUBLIC) | set(WRITES_OPEN_TO_EVERYONE)) - seen
    assert not stale, f"listed routes that no longer exist: {sorted(stale)}"
    for route in api_routes():
        unknown = set(route.args) - set(API_RECORD_ARGS)
        assert not unknown, f"{route.name}: add {unknown} to API_RECORD_ARGS"
    for route in page_routes():
        if route.args:
            assert set(PAGE_RECORD_ARGS.get(route.name, {})) == set(route.args), route.name


def test_anonymous_is_sent_to_sign_in_and_the_api_answers_401(client, world, records):
    sign_in = reverse("login")
    checked = 0
    problems = []
    for route in _checked(all_routes(), lambda r: False):
        ids = ids_for(route, records)
        for method in route.methods:
            response = call(client, route, method, ids, world, records)
            if route.is_api:
                ok = response.status_code == 401
            else:
                ok = response.status_code == 302 and response["Location"].startswith(sign_in)
            if not ok:
                problems.append((route.name, method, response.status_code))
            checked += 1
    assert not problems, "\n".join(map(str, problems))
    assert checked > 150


def _other_force_officer(world: World) -> Any:
    force_z = Organisation.objects.create(name="Force Z Police", kind=OrganisationKind.POLICE_FORCE)
    force_z.force = force_z
    force_z.save()
    return make_user("zed_officer", force_z, Role.SUPERVISOR)


@pytest.mark.parametrize("who", ["council_c", "force_z"])
def test_outsiders_get_404_on_every_record_route_the_same_as_a_missing_id(client, world, records, who):
    """Council C, beside Council B (the same role, in a council that shares Ruby's case); and a supervisor
    of Force Z, beside Force A's supervisor.

    Wherever the insider can open a record, the outsider gets 404. Anywhere else the outsider gets
    exactly what a missing id gets: 404, or the refusal of their role before any record is looked up
    (403: a council officer may never grade risk; 405: a write-only route), so no answer says
    whether the record exists.
    """
    if who == "council_c":
        outsider, insider = world.outsider, world.partner
    else:
        outsider, insider = _other_force_officer(world), world.supervisor
    record_routes = _checked(all_routes(), lambda r: not r.args)
    assert len(record_routes) > 60
    insider_client = Client()
    insider_client.force_login(insider)
    client.force_login(outsider)
    problems = []
    found = 0
    for route in record_routes:
        insider_reads = (
            "GET" in route.methods
            and call(insider_client, route, "GET", ids_for(route, records), world, records).status_code == 200
        )
        for method in route.methods:
            real = call(client, route, method, ids_for(route, records), world, records).status_code
            missing = call(client, route, method, ids_for(route, None), world, None).status_code
            must_be_404 = method == "GET" and insider_reads
            if real != missing or real not in (403, 404, 405) or (must_be_404 and real != 404):
                problems.append((route.name, method, real, missing, insider_reads))
            found += real == 404
        if insider_reads:  # and for the insider too, a missing id is a plain 404
            status = call(insider_client, route, "GET", ids_for(route, None), world, None).status_code
            if status != 404:
                problems.append((route.name, "GET missing id as insider", status, status, True))
    assert not problems, "\n".join(map(str, problems))
    assert found > 40


def _writes_so_far() -> tuple[int, ...]:
    """What a write would change: audit events other than consultations (every action writes one,
    in its own transaction: AUD-4) and the number of rows of every model."""
    counts = [AuditEvent.objects.exclude(operation=Operation.CONSULTATION).count()]
    for model in apps.get_models():
        if model._meta.label not in ("audit.AuditEvent", "sessions.Session") and model._meta.managed:
            counts.append(model._default_manager.count())
    return tuple(counts)


def test_the_read_only_role_is_refused_every_write(client, world, records):
    """Force A's analyst may read Force A's cases, so a refusal here is about the role, not the record.

    403, or 404 where the role may not see that kind of record at all, or 405. A page that only reads
    may answer a POST as it answers a GET, but then nothing may have been written.
    """
    client.force_login(records.analyst)
    checked = 0
    problems = []
    for route in _checked(all_routes(), lambda r: r.name in WRITES_OPEN_TO_EVERYONE):
        for method in route.methods:
            if method not in WRITE_METHODS:
                continue
            before = _writes_so_far()
            status = call(client, route, method, ids_for(route, records), world, records).status_code
            if status not in (403, 404, 405) and _writes_so_far() != before:
                problems.append((route.name, method, status))
            checked += 1
    assert not problems, "\n".join(map(str, problems))
    assert checked > 60
