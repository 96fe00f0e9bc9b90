"""The national-volume bulk load and its benchmark: consistent data, and Homeward's reports agree with the
pandas baseline computed over the episode export (so the benchmark compares equal answers)."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from homeward.audit.models import AuditEvent
from homeward.demo.national import national_load
from homeward.demo.national_bench import run_national_bench
from homeward.episodes.models import OPEN_STATUSES, Episode, PreventionInterview, Status
from homeward.identity.models import District, Organisation, OrganisationKind
from homeward.insights.periods import local_midnight
from homeward.people.models import Person
from homeward.returns.models import ReturnInterview

AS_OF = dt.date(2026, 3, 31)  # the day before the load's cut-off
NOW = local_midnight(AS_OF + dt.timedelta(days=1))


@pytest.fixture
def national(db):
    return national_load(seed=3, years=2, now=NOW, episodes_per_year=600)


def test_the_load_writes_the_asked_volume_of_consistent_episodes(national):
    assert national.episodes == 1200 == Episode.objects.count()
    assert national.people == Person.objects.count() > 400
    assert national.forces == 43 == Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE).count()
    assert national.districts == District.objects.count() == 172
    by_person = defaultdict(list)
    for e in Episode.objects.order_by("reported_at").values(
        "person_id", "reported_at", "found_at", "status", "is_child", "age_at_report", "not_recorded_at"
    ):
        assert e["reported_at"] < NOW
        assert e["found_at"] is None or e["reported_at"] < e["found_at"] <= NOW
        assert (e["status"] in OPEN_STATUSES) == (e["found_at"] is None and e["not_recorded_at"] is None)
        if e["age_at_report"] is not None:
            assert e["is_child"] == (e["age_at_report"] < 18)
        by_person[e["person_id"]].append(e)
    for episodes in by_person.values():
        # One at a time: each report comes after the previous episode ended; only the last may be open.
        for before, after in zip(episodes, episodes[1:], strict=False):
            assert before["status"] not in OPEN_STATUSES
            assert after["reported_at"] > (before["found_at"] or before["not_recorded_at"])
    children = Episode.objects.filter(is_child=True).count() / Episode.objects.count()
    assert 0.5 < children < 0.75  # about 60% nationally
    assert any(len(v) >= 5 for v in by_person.values())  # repeat missing people exist
    assert ReturnInterview.objects.filter(episode__is_child=False).count() == 0
    assert AuditEvent.objects.filter(event_type="demo.national_loaded").count() == 1


def test_the_same_seed_gives_the_same_data(db):
    def load_and_fingerprint() -> list[tuple]:
        with transaction.atomic():
            national_load(seed=5, years=1, now=NOW, episodes_per_year=200)
            rows = list(
                Episode.objects.order_by("reported_at", "person__family_name").values_list(
                    "reported_at", "found_at", "status", "risk_level_first", "person__given_name"
                )
            )
            transaction.set_rollback(True)
        return rows

    first = load_and_fingerprint()
    assert len(first) == 200
    assert load_and_fingerprint() == first


def test_homeward_and_the_pandas_baseline_agree_on_every_benchmarked_result(national, tmp_path):
    results = run_national_bench(
        as_of=AS_OF, now=NOW, export_path=tmp_path / "episodes.csv", repeat=1, say=lambda _msg: None
    )
    assert results["episodes_in_database"] == 1200
    compared = [r for r in results["results"] if r["same_result"] is not None]
    assert len(compared) == 6
    assert all(r["same_result"] for r in compared), results["results"]
    # Not an empty comparison: the lists and the measures have rows.
    assert all(r["rows"] > 0 for r in compared if not r["label"].startswith("Weekly 2")), results["results"]


def test_the_commands_refuse_the_wrong_database(db):
    with pytest.raises(CommandError, match="No episodes"):
        call_command("bench_national", stdout=io.StringIO())
    national_load(seed=1, years=1, now=NOW, episodes_per_year=50)
    with pytest.raises(CommandError, match="already has organisations"):
        call_command("demo", "--national", stdout=io.StringIO())
    assert Episode.objects.exclude(status=Status.NOT_RECORDED).exists()


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_load_orders_episodes_by_report_time_on_postgresql():
    national_load(seed=2, years=1, now=NOW, episodes_per_year=100)
    assert Episode.objects.count() == 100
    if connection.vendor != "postgresql":
        return  # SQLite has no CLUSTER: the load leaves the table as written (documented)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = %s AND x.indisclustered",
            [Episode._meta.db_table],
        )
        clustered = [row[0] for row in cursor.fetchall()]
    assert len(clustered) == 1 and "reported_at" in clustered[0]
    # The interviews, read in their physical order, follow their episodes' report times.
    for model in (PreventionInterview, ReturnInterview):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*), SUM(CASE WHEN earlier > reported_at THEN 1 ELSE 0 END) FROM ("  # noqa: S608
                f"SELECT e.reported_at, LAG(e.reported_at) OVER (ORDER BY t.ctid) AS earlier "
                f"FROM {model._meta.db_table} t JOIN {Episode._meta.db_table} e ON e.id = t.episode_id) x"
            )
            rows, out_of_order = cursor.fetchone()
            assert rows > 10 and out_of_order == 0
