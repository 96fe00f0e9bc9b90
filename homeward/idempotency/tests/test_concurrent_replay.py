"""REL-2: a replay while the first request with the key is still in flight gets 409, never a second write.

Real requests on real threads, each with its own database connection. The first request is held inside
its write transaction — by a table lock another connection holds (PostgreSQL), or by a pre_save receiver
that waits (either database; SQLite has no table locks to queue on, only the one write lock) — so that
"in flight" is a state the test controls, not a race it hopes to win.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.db import connection, connections
from django.db.models.signals import pre_save
from django.test import Client
from django.utils import timezone

from homeward.conftest import World
from homeward.idempotency.models import IdempotencyRecord
from homeward.identity.api_tokens import api_token_issue
from homeward.people.models import Person
from homeward.people.tests.test_api import create_body

pytestmark = pytest.mark.django_db(transaction=True)

on_postgres = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="PostgreSQL only: holds the first request on a table lock"
)

PATH = "/api/v1/people"
WAIT = 20  # seconds: generous for a loaded two-core machine; a passing run waits far less


class Sent:
    """One request sent on its own thread; `response` once it has answered."""

    def __init__(self, token: str, key: str) -> None:
        self.response: Any = None
        self.thread = threading.Thread(target=self._send, args=(token, key), daemon=True)
        self.thread.start()

    def _send(self, token: str, key: str) -> None:
        try:
            self.response = Client().post(
                PATH,
                json.dumps(create_body()),
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
            )
        finally:
            connections.close_all()

    def answer(self) -> Any:
        self.thread.join(timeout=WAIT)
        assert not self.thread.is_alive(), "the request did not answer"
        return self.response


def _send_now(token: str, key: str) -> Any:
    return Sent(token, key).answer()


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the request to get there"
        time.sleep(0.02)


def _claimed(key: str, *, excluding: int | None = None) -> bool:
    claims = IdempotencyRecord.objects.filter(key=key, status__isnull=True)
    return claims.exclude(pk=excluding).exists() if excluding else claims.exists()


def _token(world: World) -> str:
    _, token = api_token_issue(actor=world.call_handler, name="tests")
    return token


def _assert_in_progress(response: Any) -> None:
    assert response.status_code == 409, response.content
    assert response["Retry-After"] == "1"
    body = response.json()
    assert body["code"] == "idempotency_key_in_use"
    assert "Idempotency-Key is still in progress" in body["detail"]
    assert "nothing was done for this one" in body["detail"]
    assert not response.has_header("Idempotent-Replayed")


@contextmanager
def _people_table_locked() -> Iterator[None]:
    """Another session holds people_person so no one can insert into it: writers queue, readers do not."""
    settings_dict = connection.settings_dict
    with psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
    ) as holder:
        holder.execute("LOCK TABLE people_person IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            holder.commit()


@contextmanager
def _first_person_save_held() -> Iterator[tuple[threading.Event, threading.Event]]:
    """The first Person save waits (inside its request's write transaction) until released."""
    reached, release = threading.Event(), threading.Event()

    def hold(**kwargs: Any) -> None:
        if not reached.is_set():
            reached.set()
            release.wait(WAIT)

    pre_save.connect(hold, sender=Person, dispatch_uid="test_concurrent_replay_hold")
    try:
        yield reached, release
    finally:
        release.set()
        pre_save.disconnect(sender=Person, dispatch_uid="test_concurrent_replay_hold")


def test_a_replay_while_the_first_request_is_in_flight_is_a_409_on_either_database(world: World) -> None:
    token = _token(world)
    with _first_person_save_held() as (reached, release):
        first = Sent(token, "slow")
        assert reached.wait(WAIT), "the first request never reached its write"

        _assert_in_progress(_send_now(token, "slow"))
        assert Person.objects.count() == 0  # the first has not committed; the replay wrote nothing

        release.set()
        assert first.answer().status_code == 201, first.response.content
    replay = _send_now(token, "slow")
    assert (replay.status_code, replay["Idempotent-Replayed"]) == (201, "true")
    assert replay.json() == first.response.json()
    assert Person.objects.count() == 1
    assert IdempotencyRecord.objects.get().status == 201


@on_postgres
def test_on_postgresql_a_replay_while_the_first_waits_on_a_lock_is_a_409_at_once(world: World) -> None:
    token = _token(world)
    with _people_table_locked():
        first = Sent(token, "queued")
        _until(lambda: _claimed("queued"))  # claimed and committed: now queued on the lock, in its write

        started = time.monotonic()
        _assert_in_progress(_send_now(token, "queued"))
        assert time.monotonic() - started < 5, "the replay must not wait for the first request"
        assert first.thread.is_alive()
    assert first.answer().status_code == 201, first.response.content
    assert Person.objects.count() == 1


@on_postgres
def test_on_postgresql_an_abandoned_claim_is_taken_over_and_the_write_happens_once(world: World) -> None:
    token = _token(world)
    with _people_table_locked():
        first = Sent(token, "stuck")
        _until(lambda: _claimed("stuck"))
        stale = IdempotencyRecord.objects.get(key="stuck")
        # As if the first request had been running longer than any request can (its process died).
        IdempotencyRecord.objects.filter(pk=stale.pk).update(
            created_at=timezone.now() - dt.timedelta(minutes=10)
        )
        second = Sent(token, "stuck")
        _until(lambda: _claimed("stuck", excluding=stale.pk))  # took the key over; now queued too
    first_response, second_response = first.answer(), second.answer()

    # The later request's write stands; the first finds its claim gone and undoes its own.
    assert second_response.status_code == 201, second_response.content
    assert first_response.status_code == 409, first_response.content
    assert "handed to a later request" in first_response.json()["detail"]
    assert Person.objects.count() == 1
    record = IdempotencyRecord.objects.get(key="stuck")
    assert record.status == 201 and record.pk != stale.pk
    replay = _send_now(token, "stuck")
    assert replay.json() == second_response.json() and replay["Idempotent-Replayed"] == "true"


def test_a_claim_left_by_a_dead_request_stops_answering_409_after_its_lifetime(
    world: World, settings: Any
) -> None:
    token = _token(world)
    body = create_body()
    IdempotencyRecord.objects.create(
        user=world.call_handler,
        key="orphan",
        method="POST",
        path=PATH,
        body_sha256=hashlib.sha256(json.dumps(body).encode()).hexdigest(),
        created_at=timezone.now() - dt.timedelta(seconds=60),
    )
    _assert_in_progress(_send_now(token, "orphan"))
    settings.HOMEWARD_IDEMPOTENCY_CLAIM_SECONDS = 30
    taken = _send_now(token, "orphan")
    assert taken.status_code == 201, taken.content
    assert not taken.has_header("Idempotent-Replayed")
    assert Person.objects.count() == 1
