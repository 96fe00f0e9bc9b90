"""No personal data in URLs (security baseline DEP-3).

URLs end up in browser history, proxy and server access logs and Referer headers, none of which the
audit log or retention rules govern. So:
- every route's parameters are ids (ints or UUIDs), checked over the URL resolver, so a new route with
  a name or a date of birth in its path fails here;
- no template builds a link with a query string carrying a name, and no GET form asks for one;
- searching for a person posts the name: it is neither in the query string nor in the audit event.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter
from ninja.signature.utils import UUIDStrConverter

import homeward
from homeward.audit.models import AuditEvent
from homeward.conftest import World
from homeward.episodes.tests.factories import make_ruby

ROOT = Path(homeward.__file__).resolve().parent
ID_CONVERTERS = (IntConverter, UUIDConverter, UUIDStrConverter)
# The API's catch-all: it only ever answers 404 (homeward/api.py).
CATCH_ALL = {"api/v1/<anypath:rest>"}


def _patterns(resolver: URLResolver | None = None, prefix: str = "") -> list[tuple[str, URLPattern]]:
    resolver = resolver or get_resolver()
    found: list[tuple[str, URLPattern]] = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found.extend(_patterns(entry, route))
        else:
            found.append((route, entry))
    return found


def _converters(resolver_route: str, entry: URLPattern) -> dict[str, object]:
    return dict(getattr(entry.pattern, "converters", {}))


def test_every_route_parameter_is_an_id() -> None:
    routes = _patterns()
    assert len(routes) > 50
    offenders = []
    for route, entry in routes:
        if route in CATCH_ALL:
            continue
        # A regex route would hide its parameters from this check: there must be none.
        if not hasattr(entry.pattern, "converters"):
            offenders.append((route, "regex route"))
            continue
        params = re.findall(r"<(?:(\w+):)?(\w+)>", route)
        for converter_name, name in params:
            if not converter_name:
                offenders.append((route, f"<{name}> is a free string"))
        for name, converter in _converters(route, entry).items():
            if not isinstance(converter, ID_CONVERTERS):
                offenders.append((route, f"{name}: {type(converter).__name__}"))
    assert offenders == []


def test_the_check_sees_every_kind_of_parameter() -> None:
    routes = dict(_patterns())
    assert any("<int:" in r for r in routes)
    assert any(r.startswith("api/v1/") and "<int:" in r for r in routes)


NAME_PARAMETER = re.compile(
    r"[?&](q|name|names?|given_name|family_name|first_name|last_name|surname|full_name|dob|date_of_birth|"
    r"birth_\w+|address|postcode|phone|email)=",
    re.IGNORECASE,
)
PERSONAL_VALUE = re.compile(
    r"\{\{\s*\w*\.?(full_name|given_name|family_name|first_name|last_name|date_of_birth|address|postcode|"
    r"phone|name)\b[^}]*\}\}",
)
GET_FORM = re.compile(r"<form[^>]*method=[\"']get[\"'][^>]*>(.*?)</form>", re.IGNORECASE | re.DOTALL)
NAME_INPUT = re.compile(
    r"name=[\"'](q|name|given_name|family_name|first_name|last_name|surname|full_name|date_of_birth|dob|"
    r"birth_\w+|age|address|postcode|phone|email)[\"']|field=form\.(given_name|family_name|name|"
    r"date_of_birth|birth_\w+|age|address|postcode|phone)\b",
    re.IGNORECASE,
)


def _query_strings(text: str) -> list[str]:
    """Every link or action target in a template that carries a query string."""
    return re.findall(r"(?:href|action|hx-get|hx-post|src)=[\"']([^\"']*\?[^\"']*)[\"']", text)


def test_the_template_checks_catch_names_in_links_and_get_forms() -> None:
    assert NAME_PARAMETER.search("/people/?name=Ruby")
    assert PERSONAL_VALUE.search("{{ person.full_name|urlencode }}")
    assert not NAME_PARAMETER.search("/reports/weekly/?district=3&as_of=2026-01-01")
    form = '<form method="get"><input name="q"></form>'
    assert NAME_INPUT.search(GET_FORM.findall(form)[0])


def test_no_template_puts_a_name_in_a_url() -> None:
    offenders = []
    for path in sorted(ROOT.rglob("*.html")):
        text = path.read_text()
        where = str(path.relative_to(ROOT))
        for target in _query_strings(text):
            if NAME_PARAMETER.search(target) or PERSONAL_VALUE.search(target):
                offenders.append((where, target))
        for body in GET_FORM.findall(text):
            if NAME_INPUT.search(body):
                offenders.append((where, "a GET form asks for personal data"))
    assert offenders == []


@pytest.mark.django_db
def test_searching_for_a_name_keeps_it_out_of_the_url_and_the_audit_log(client: Client, world: World) -> None:
    ruby = make_ruby(world)
    client.force_login(world.officer)
    for url in (reverse("person_search"), reverse("report_start")):
        response = client.post(url, {"given_name": "Ruby", "family_name": "Hartley"})
        assert response.status_code == 200
        assert "Hartley" in response.content.decode()  # found
        assert "Hartley" not in response.request["QUERY_STRING"]
        assert "Hartley" not in response.request["PATH_INFO"]
    events = AuditEvent.objects.filter(event_type="person.searched")
    assert events.exists() and all(str(ruby.pk) in e.object_ids for e in events)
    for event in AuditEvent.objects.all():
        for field in event._meta.concrete_fields:
            value = str(getattr(event, field.attname))
            assert "Hartley" not in value and "Ruby" not in value, (event.event_type, field.name)
    # The profile list's name filter is posted too.
    response = client.post(reverse("protocols:list"), {"q": "Hartley"})
    assert response.status_code in (200, 403)
    assert "Hartley" not in response.request["QUERY_STRING"]


@pytest.mark.django_db
def test_the_api_search_is_a_post_with_the_name_in_the_body(client: Client, world: World) -> None:
    make_ruby(world)
    client.force_login(world.officer)
    response = client.post(
        "/api/v1/people/search", {"family_name": "Hartley"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["candidates"]
    assert "Hartley" not in response.request["QUERY_STRING"]
    assert client.get("/api/v1/people/search?family_name=Hartley").status_code == 405
