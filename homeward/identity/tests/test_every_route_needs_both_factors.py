"""For every route (generated from the URL resolver, so a new route is covered without anyone
remembering): a session with only the password is sent to the code page, or answered 401 by the API."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from homeward.conftest import sign_in_with_password_only
from homeward.identity.tests.helpers import enrol

pytestmark = pytest.mark.django_db

# The only pages a password-only session may open: the sign-in steps, sign-out, and the API's
# description (public to anyone, signed in or not).
OPEN_TO_PASSWORD_ONLY = {"/login/", "/login/code/", "/login/set-up/", "/logout/", "/api/v1/openapi.json"}


def _routes(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    resolver = resolver or get_resolver()
    routes: list[str] = []
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            routes.extend(_routes(entry, pattern))
        elif isinstance(entry, URLPattern):
            routes.append(pattern)
    return routes


def _example(pattern: str) -> str:
    """A concrete path for a route pattern: 1 for every parameter."""
    path = re.sub(r"<(?:\w+:)?\w+>", "1", pattern)
    path = re.sub(r"\{[^}]+\}", "1", path)  # django-ninja's {int:id} style
    path = path.lstrip("^").rstrip("$").replace("\\", "")
    return "/" + path


def test_the_route_list_is_not_empty():
    routes = [_example(p) for p in _routes()]
    assert "/dashboard/" in routes and any(r.startswith("/api/v1/") for r in routes)


def test_every_route_refuses_a_password_only_session(client, world):
    enrol(world.supervisor)
    sign_in_with_password_only(client, world.supervisor)
    code_page = reverse("mfa_verify")
    checked = 0
    for pattern in _routes():
        path = _example(pattern)
        if path in OPEN_TO_PASSWORD_ONLY or "path:" in pattern or path == "/api/v1/":
            # The API's root and catch-all answer 404: they are no endpoint at all.
            continue
        response = client.get(path)
        if response.status_code == 405:  # a write-only endpoint
            response = client.post(path, data="{}", content_type="application/json")
        if path.startswith("/api/"):
            assert response.status_code == 401, (path, response.status_code)
        else:
            assert response.status_code == 302, (path, response.status_code)
            assert response["Location"].startswith(code_page), (path, response["Location"])
        checked += 1
    assert checked > 50
