"""REL-4: the backup → restore → verify drill, run in the suite on SQLite and on PostgreSQL.

Records are written through a real action and committed (a transactional test), because the drill
copies the database through a second connection (SQLite's backup API, or pg_dump) and sees only
committed data.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from io import StringIO
from pathlib import Path
from typing import Any

import psycopg
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

import homeward.backup
from homeward.audit.log import audit_record
from homeward.audit.models import AuditArchive, AuditEvent
from homeward.people.actions import PersonData, person_create
from homeward.people.models import Person

# The drill is an operator's task, run like `migrate` and the archive by the owner side, not by the web
# process: on PostgreSQL these tests run as the database owner (the drill's own connections use the
# configured superuser either way).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.database_owner]

on_sqlite = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="the drill copies the SQLite file")
on_postgres = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="PostgreSQL only: pg_dump/pg_restore into a scratch database"
)


def _people(world, n: int = 3) -> None:
    for i in range(n):
        person_create(
            actor=world.call_handler,
            data=PersonData(given_name=f"Drill{i}", family_name="Backup"),
            supplied_by="Test",
        )


def _drill(backup_dir: Path) -> str:
    out = StringIO()
    call_command("backup_drill", "--dir", str(backup_dir), stdout=out)
    return out.getvalue()


def _failed_drill(backup_dir: Path) -> str:
    out = StringIO()
    with pytest.raises(CommandError, match="not a faithful restore"):
        call_command("backup_drill", "--dir", str(backup_dir), stdout=out)
    return out.getvalue()


def _scratch_name() -> str:
    return homeward.backup.restored_database_name(connection.settings_dict["NAME"])


def _scratch_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [_scratch_name()])
        return cursor.fetchone() is not None


def _in_scratch(*statements: tuple[str, list[Any]]) -> None:
    """Run SQL in the restored copy, as someone tampering with it would."""
    settings_dict = connection.settings_dict
    with psycopg.connect(
        dbname=_scratch_name(),
        user=settings_dict["USER"],
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        autocommit=True,
    ) as conn:
        for sql, params in statements:
            conn.execute(sql, params)


# --- Both databases ------------------------------------------------------------------------------------


def test_the_drill_checks_the_chain_from_the_archive_anchor_after_an_archive(world, tmp_path):
    """The restored copy is verified by the same walk as `homeward audit verify`, anchor included."""
    now = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
    for days in (2925, 2924, 30):
        with time_machine.travel(now - dt.timedelta(days=days), tick=False):
            audit_record(actor=world.officer, operation="consultation", event_type="test.viewed")
    with time_machine.travel(now, tick=False):
        call_command("audit", "archive", "--before", "2019-01-01", "--out", str(tmp_path / "a.jsonl"))
    assert AuditArchive.objects.count() == 1

    out = _drill(tmp_path / "backups")

    # The recent event and the archive's own event, linked to the anchor rather than to the genesis hash.
    assert "Audit chain on the copy: intact, 2 events" in out
    assert "Backup drill passed" in out


def test_the_drill_prints_the_backup_time_and_the_rto(world, tmp_path):
    _people(world, 1)
    out = _drill(tmp_path)
    assert re.search(r"Backup written: .+ \(\d+ bytes\) in \d+\.\d{3} s", out), out
    rto = re.search(
        r"Restore to verified \(RTO\): (\d+\.\d{3}) s \(of which verifying the copy: (\d+\.\d{3}) s\)", out
    )
    assert rto, out
    assert float(rto.group(2)) <= float(rto.group(1))


# --- SQLite --------------------------------------------------------------------------------------------


@on_sqlite
def test_the_drill_restores_an_identical_copy_with_an_intact_chain(world, tmp_path):
    _people(world)
    events = AuditEvent.objects.count()
    assert events >= 3 and Person.objects.count() == 3

    out = _drill(tmp_path)

    assert f"Audit chain on the copy: intact, {events} events" in out
    assert "all equal" in out
    assert "Restored: the copy opened read-only on its own" in out
    assert "Backup drill passed" in out
    [copy] = tmp_path.glob("*.sqlite3")
    assert not list(tmp_path.glob("*-wal")), "checking the copy must not turn it into a WAL database"
    with sqlite3.connect(copy) as db:
        assert db.execute("SELECT COUNT(*) FROM people_person").fetchone() == (3,)
        assert db.execute("SELECT COUNT(*) FROM audit_auditevent").fetchone() == (events,)
        # One self-contained file: no write-ahead log to lose beside it.
        assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)


@on_sqlite
def test_the_drill_reports_an_audit_row_altered_in_the_copy(world, tmp_path, monkeypatch):
    _people(world)
    target = AuditEvent.objects.order_by("id").values_list("id", flat=True)[1]
    real_backup = homeward.backup.backup_sqlite

    def backup_then_tamper(src_path: str | Path, dest_path: str | Path) -> dict[str, int]:
        counts = real_backup(src_path, dest_path)
        # The copy carries the append-only triggers too: drop them there (never in the live database).
        with sqlite3.connect(dest_path) as db:
            db.execute("DROP TRIGGER audit_auditevent_no_update")
            db.execute("UPDATE audit_auditevent SET reason_text = 'nothing to see' WHERE id = ?", [target])
        return counts

    monkeypatch.setattr(homeward.backup, "backup_sqlite", backup_then_tamper)
    out = _failed_drill(tmp_path)
    assert f"Audit chain on the copy: BROKEN at event {target} after 1 good events" in out
    assert "its contents no longer match its hash" in out
    # The live database is untouched.
    assert not AuditEvent.objects.filter(reason_text="nothing to see").exists()


@on_sqlite
def test_the_drill_reports_a_table_whose_rows_differ(world, tmp_path, monkeypatch):
    _people(world, 2)
    real_backup = homeward.backup.backup_sqlite

    def backup_then_lose_a_row(src_path: str | Path, dest_path: str | Path) -> dict[str, int]:
        counts = real_backup(src_path, dest_path)
        with sqlite3.connect(dest_path) as db:
            db.execute("PRAGMA foreign_keys = OFF")
            db.execute("DELETE FROM people_personsearchkey")
        return counts

    monkeypatch.setattr(homeward.backup, "backup_sqlite", backup_then_lose_a_row)
    out = _failed_drill(tmp_path)
    assert "Row count differs: people_personsearchkey: source " in out
    assert ", copy 0" in out


@on_sqlite
def test_backup_refuses_to_overwrite_an_existing_file(tmp_path):
    dest = tmp_path / "taken.sqlite3"
    dest.write_bytes(b"")
    with pytest.raises(FileExistsError):
        homeward.backup.backup_sqlite(connection.settings_dict["NAME"], dest)


# --- PostgreSQL ----------------------------------------------------------------------------------------


@on_postgres
def test_on_postgresql_the_drill_restores_into_a_scratch_database_and_drops_it(world, tmp_path):
    _people(world)
    events = AuditEvent.objects.count()
    assert events >= 3

    out = _drill(tmp_path)

    assert f"Restored into database {_scratch_name()} (dropped afterwards)" in out
    assert f"Audit chain on the copy: intact, {events} events" in out
    assert "all equal" in out
    assert "Backup drill passed" in out
    assert not _scratch_exists()
    # The dump is kept: it is a real backup, in pg_dump's custom format ("PGDMP" magic).
    [dump] = tmp_path.glob("*.dump")
    assert dump.read_bytes()[:5] == b"PGDMP"
    # The counts compared include the tables written to.
    counts = re.search(r"Row counts: (\d+) tables, all equal", out)
    assert counts and int(counts.group(1)) > 20


@on_postgres
def test_on_postgresql_the_drill_reports_an_audit_row_altered_in_the_copy(world, tmp_path, monkeypatch):
    _people(world)
    target = AuditEvent.objects.order_by("id").values_list("id", flat=True)[1]
    real_restore = homeward.backup.pg_restore_into

    def restore_then_tamper(
        dump: Path, database: str, settings_dict: dict[str, Any], *, jobs: int = 1
    ) -> None:
        real_restore(dump, database, settings_dict, jobs=jobs)
        # The copy carries the append-only triggers too: switch them off there (never in the live database).
        _in_scratch(
            ("ALTER TABLE audit_auditevent DISABLE TRIGGER USER", []),
            ("UPDATE audit_auditevent SET reason_text = 'nothing to see' WHERE id = %s", [target]),
        )

    monkeypatch.setattr(homeward.backup, "pg_restore_into", restore_then_tamper)
    out = _failed_drill(tmp_path)
    assert f"Audit chain on the copy: BROKEN at event {target} after 1 good events" in out
    assert "its contents no longer match its hash" in out
    assert not AuditEvent.objects.filter(reason_text="nothing to see").exists()
    assert not _scratch_exists()


@on_postgres
def test_on_postgresql_the_drill_reports_a_table_whose_rows_differ(world, tmp_path, monkeypatch):
    _people(world, 2)
    real_restore = homeward.backup.pg_restore_into

    def restore_then_lose_rows(
        dump: Path, database: str, settings_dict: dict[str, Any], *, jobs: int = 1
    ) -> None:
        real_restore(dump, database, settings_dict, jobs=jobs)
        _in_scratch(("DELETE FROM people_personsearchkey", []))

    monkeypatch.setattr(homeward.backup, "pg_restore_into", restore_then_lose_rows)
    out = _failed_drill(tmp_path)
    assert "Row count differs: people_personsearchkey: source " in out
    assert ", copy 0" in out
    assert not _scratch_exists()


@on_postgres
def test_on_postgresql_a_failed_restore_fails_the_drill_and_drops_the_scratch_database(
    world, tmp_path, monkeypatch
):
    _people(world, 1)

    real_restore = homeward.backup.pg_restore_into

    def restore_a_damaged_dump(
        dump: Path, database: str, settings_dict: dict[str, Any], *, jobs: int = 1
    ) -> None:
        dump.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
        real_restore(dump, database, settings_dict, jobs=jobs)

    monkeypatch.setattr(homeward.backup, "pg_restore_into", restore_a_damaged_dump)
    with pytest.raises(CommandError, match="Backup drill failed: pg_restore failed"):
        call_command("backup_drill", "--dir", str(tmp_path), stdout=StringIO())
    assert not _scratch_exists()


@on_postgres
def test_on_postgresql_a_scratch_database_left_by_a_killed_drill_is_replaced(world, tmp_path):
    _people(world, 1)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{_scratch_name()}"')
    assert "Backup drill passed" in _drill(tmp_path)
    assert not _scratch_exists()


@on_postgres
def test_on_postgresql_only_a_role_that_reads_every_row_may_dump():
    """Row-level security is forced on the tenant tables: the application's role would dump part of them."""
    from homeward.conftest import APPLICATION_ROLE

    with connection.cursor() as cursor:
        assert homeward.backup.pg_reads_every_row(cursor)  # the configured superuser
        cursor.execute(f"SET ROLE {APPLICATION_ROLE}")
        try:
            assert not homeward.backup.pg_reads_every_row(cursor)
        finally:
            cursor.execute("RESET ROLE")


# --- No database -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "scratch"),
    [
        ("homeward", "homeward_restore_drill"),
        ("x" * 63, "x" * 49 + "_restore_drill"),
        ("é" * 30, "é" * 24 + "_restore_drill"),  # 2 bytes each: cut on a whole character
    ],
)
def test_the_scratch_database_is_named_after_the_source_within_postgresql_limits(source, scratch):
    assert homeward.backup.restored_database_name(source) == scratch
    assert len(scratch.encode()) <= 63


def test_a_source_named_like_its_own_scratch_copy_is_refused():
    name = "y" * 49 + "_restore_drill"
    with pytest.raises(ValueError, match="same name"):
        homeward.backup.restored_database_name(name)
