"""`Idempotency-Key` on API writes (security baseline REL-2): replay → same response, no duplicate row."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from homeward.conftest import World
from homeward.episodes.models import Episode, RiskAssessment
from homeward.episodes.tasks import clocks_sweep
from homeward.episodes.tests.test_api import report_body, reported, ruby
from homeward.idempotency.keys import prune_idempotency_keys
from homeward.idempotency.models import IdempotencyRecord
from homeward.identity.api_tokens import api_token_issue
from homeward.identity.models import User
from homeward.people.models import Person
from homeward.people.tests.test_api import create_body

BASE = "/api/v1"


def post(user: User, path: str, body: Any, key: str | None = None) -> Any:
    _, token = api_token_issue(actor=user, name="tests")
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return Client().post(BASE + path, json.dumps(body), content_type="application/json", headers=headers)


def risk_body() -> dict[str, Any]:
    return {"expected_version": 1, "level": "high", "rationale": "Known to be at risk of exploitation."}


@pytest.mark.django_db
def test_a_replayed_report_returns_the_same_response_and_writes_nothing(world: World) -> None:
    body = report_body(world, ruby(world))
    first = post(world.call_handler, "/episodes", body, key="report-1")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    again = post(world.call_handler, "/episodes", body, key="report-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Episode.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.django_db
def test_without_a_key_each_write_is_made_again(world: World) -> None:
    assert post(world.call_handler, "/people", create_body()).status_code == 201
    assert post(world.call_handler, "/people", create_body()).status_code == 201
    assert Person.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.django_db
def test_a_replayed_risk_assessment_returns_the_same_response_and_writes_nothing(world: World) -> None:
    episode = reported(world)
    path = f"/episodes/{episode.pk}/risk-assessments"
    first = post(world.call_handler, path, risk_body(), key="grade-1")
    assert first.status_code == 201, first.content
    # Without the key this would now be an edit conflict (version 1 is stale): the replay is not re-run.
    again = post(world.call_handler, path, risk_body(), key="grade-1")
    assert (again.status_code, again.json()) == (201, first.json())
    assert again["Idempotent-Replayed"] == "true"
    assert RiskAssessment.objects.filter(episode=episode).count() == 1


@pytest.mark.django_db
def test_the_same_key_with_a_different_body_or_path_is_refused(world: World) -> None:
    person = ruby(world)
    assert post(world.call_handler, "/episodes", report_body(world, person), key="k").status_code == 201
    other_body = report_body(world, person, circumstances="Something else entirely.")
    for path, body in (("/episodes", other_body), ("/people", create_body())):
        response = post(world.call_handler, path, body, key="k")
        assert response.status_code == 422, response.content
        [issue] = response.json()["detail"]
        assert issue["type"] == "idempotency_key_reused" and issue["loc"] == ["header", "Idempotency-Key"]
        assert "different request" in issue["msg"]
    assert Episode.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_per_user(world: World) -> None:
    assert post(world.call_handler, "/people", create_body(), key="shared").status_code == 201
    other = post(world.officer, "/people", create_body(), key="shared")
    assert other.status_code == 201, other.content
    assert "Idempotent-Replayed" not in other
    assert Person.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "has space", "x" * 201, "tab\there"])
def test_a_malformed_key_is_refused_with_a_422(world: World, key: str) -> None:
    response = post(world.call_handler, "/episodes", report_body(world, ruby(world)), key=key)
    assert response.status_code == 422, response.content
    [issue] = response.json()["detail"]
    assert issue["loc"] == ["header", "Idempotency-Key"]
    assert "1 to 200 visible ASCII characters" in issue["msg"]
    assert Episode.objects.count() == 0


@pytest.mark.django_db
def test_the_longest_key_is_accepted(world: World) -> None:
    response = post(world.call_handler, "/episodes", report_body(world, ruby(world)), key="~" * 200)
    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_a_refused_write_is_not_stored_so_the_key_can_be_used_again(world: World) -> None:
    episode = reported(world)
    path = f"/episodes/{episode.pk}/risk-assessments"
    stale = {**risk_body(), "expected_version": 7}
    assert post(world.call_handler, path, stale, key="g").status_code == 409
    assert IdempotencyRecord.objects.count() == 0
    assert post(world.call_handler, path, risk_body(), key="g").status_code == 201


@pytest.mark.django_db
def test_an_expired_key_is_treated_as_new_and_pruned(world: World) -> None:
    assert post(world.call_handler, "/people", create_body(), key="old").status_code == 201
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    again = post(world.call_handler, "/people", create_body(), key="old")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Person.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 1

    assert prune_idempotency_keys() == 0
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    clocks_sweep.call()
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.django_db
def test_a_key_still_in_progress_is_a_409(world: World) -> None:
    body = report_body(world, ruby(world))
    IdempotencyRecord.objects.create(
        user=world.call_handler,
        key="busy",
        method="POST",
        path=f"{BASE}/episodes",
        body_sha256=hashlib.sha256(json.dumps(body).encode()).hexdigest(),
        created_at=timezone.now(),
    )
    response = post(world.call_handler, "/episodes", body, key="busy")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_in_use"
    assert "still in progress" in response.json()["detail"]
    assert Episode.objects.count() == 0


def test_the_header_is_in_the_openapi_spec_of_every_write(client: Any) -> None:
    spec = client.get(f"{BASE}/openapi.json").json()
    writes = [
        (path, method, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method in {"post", "put", "patch", "delete"}
    ]
    assert writes
    for path, method, op in writes:
        names = [p["name"] for p in op.get("parameters", [])]
        assert "Idempotency-Key" in names, (path, method)
        assert {"409", "422"} <= set(op["responses"]), (path, method)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_first_requests_write_once(world: World) -> None:
    body = report_body(world, ruby(world))
    _, token = api_token_issue(actor=world.call_handler, name="tests")
    barrier = threading.Barrier(2)
    results: list[tuple[int, bool]] = []

    def send() -> None:
        try:
            barrier.wait(timeout=10)
            response = Client().post(
                f"{BASE}/episodes",
                json.dumps(body),
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "race"},
            )
            results.append((response.status_code, response.has_header("Idempotent-Replayed")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == 2
    assert Episode.objects.count() == 1
    # One wrote; the other was told the first is still in progress, or (if the first had already
    # answered by the time it looked) replayed its response.
    results.remove((201, False))
    assert results[0] in {(201, True), (409, False)}
