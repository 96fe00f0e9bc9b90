"""Two people save the same episode at the same moment: exactly one wins, the other is told.

Runs on real connections in two threads (transactional_db), so it exercises the database's own
locking — SQLite's IMMEDIATE transactions and PostgreSQL's row locks — not just the version check.
"""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connection, connections

from homeward.episodes import actions
from homeward.episodes.models import RiskAssessment
from homeward.episodes.tests.factories import make_ruby, report
from homeward.errors import EditConflict


@pytest.mark.django_db(transaction=True)
def test_simultaneous_gradings_one_wins_one_conflicts(world):
    episode = report(world, make_ruby(world))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def grade(actor, level):
        try:
            barrier.wait(timeout=10)
            actions.risk_assessment_record(
                actor=actor,
                episode=episode,
                expected_version=1,
                data=actions.RiskData(level=level, rationale=f"Graded {level} after the call."),
            )
            outcomes.append("saved")
        except EditConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=grade, args=(world.supervisor, "high")),
        threading.Thread(target=grade, args=(world.officer, "medium")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "saved"]
    assert RiskAssessment.objects.filter(episode=episode).count() == 1
    episode.refresh_from_db()
    assert episode.version == 2


@pytest.mark.django_db
def test_the_postgres_run_really_uses_postgres():
    expected = "postgresql" if os.environ.get("HOMEWARD_TEST_ON_POSTGRES") == "1" else "sqlite"
    assert connection.vendor == expected
