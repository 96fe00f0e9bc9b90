"""schemathesis over /api/v1/openapi.json (security baseline REL-5).

Every operation in the spec is called with generated requests, valid and invalid, by a police officer
signed in with an API token, through Django's WSGI application on the test database (SQLite or
PostgreSQL, whichever the suite runs on). Each response must not be a server error, and its status,
content type, headers and body must be those the spec declares for the operation. Examples are bounded
(settings below) so the whole contract runs in well under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from homeward.conftest import World
from homeward.episodes.tests.factories import assess, make_ruby, report
from homeward.identity.api_tokens import api_token_issue

SPEC = "/api/v1/openapi.json"
EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def officer_token(world: World) -> str:
    # Real records, so generated ids (small integers) sometimes hit one and the 200 paths are exercised.
    ruby = make_ruby(world)
    assess(world, report(world, ruby))
    _, token = api_token_issue(actor=world.officer, name="schemathesis")
    return token


@pytest.fixture(autouse=True)
def _keep_the_test_database_connection() -> Iterator[None]:
    # As Django's test client does: the WSGI handler would close the database connection after each
    # request (request_started/finished → close_old_connections), losing the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# Loaded from the application itself at collection: the spec is public and needs no database.
schema = schemathesis.openapi.from_wsgi(SPEC, WSGIHandler())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_every_operation_keeps_to_its_contract(case: Any, officer_token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {officer_token}"},
        # Schema-valid bodies may still be refused by a rule the schema cannot express (a search needs a
        # name; a person id must be one the caller may see; a risk level a child may not have). Those
        # refusals are the documented 422/404/409 responses, which the schema checks above still verify.
        excluded_checks=[positive_data_acceptance],
    )


@pytest.mark.django_db
def test_an_id_with_a_line_break_gets_the_json_404(client: Any, world: World) -> None:
    """schemathesis found these falling through to the HTML 404 page (Django's `path` stops at '\\n')."""
    client.force_login(world.officer)
    for path in ("/api/v1/people/a%0Ab", "/api/v1/episodes/1%0A/close", "/api/v1/%0A"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json; charset=utf-8", path
        assert response.json() == {"detail": "Not found"}


@pytest.mark.django_db
def test_a_nul_character_is_refused_not_a_server_error(world: World) -> None:
    """schemathesis found PostgreSQL refusing to store '\\x00' (a 500); the API now answers 422."""
    import json

    from django.test import Client

    _, token = api_token_issue(actor=world.call_handler, name="nul")
    body = {
        "given_name": "Ann\x00",
        "family_name": "Lee",
        "supplied_by": "Her mother",
        "estimated_age": {"by": "Y\x00"},
    }
    response = Client().post(
        "/api/v1/people",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422, response.content
    assert "NUL" in response.json()["detail"][0]["msg"]
