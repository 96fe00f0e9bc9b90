"""REL-4: the backup → restore → verify drill, run in the suite on SQLite.

Records are written through a real action and committed (a transactional test), because the drill
copies the database file through a second connection and sees only committed data.
"""

from __future__ import annotations

import sqlite3
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

import homeward.backup
from homeward.audit.models import AuditEvent
from homeward.people.actions import PersonData, person_create
from homeward.people.models import Person

pytestmark = pytest.mark.django_db(transaction=True)

on_sqlite = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="the drill copies the SQLite file")
on_postgres = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only")


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


@on_sqlite
def test_the_drill_restores_an_identical_copy_with_an_intact_chain(world, tmp_path):
    _people(world)
    events = AuditEvent.objects.count()
    assert events >= 3 and Person.objects.count() == 3

    out = _drill(tmp_path)

    assert f"Audit chain on the copy: intact, {events} events" in out
    assert "all equal" in out
    assert "Drill time (RTO): " in out
    assert "Backup drill passed" in out
    [copy] = tmp_path.glob("*.sqlite3")
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
    out = StringIO()
    with pytest.raises(CommandError, match="not a faithful restore"):
        call_command("backup_drill", "--dir", str(tmp_path), stdout=out)
    assert f"Audit chain on the copy: BROKEN at event {target} after 1 good events" in out.getvalue()
    assert "its contents no longer match its hash" in out.getvalue()
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
    out = StringIO()
    with pytest.raises(CommandError, match="not a faithful restore"):
        call_command("backup_drill", "--dir", str(tmp_path), stdout=out)
    assert "Row count differs: people_personsearchkey: source " in out.getvalue()
    assert ", copy 0" in out.getvalue()


@on_sqlite
def test_backup_refuses_to_overwrite_an_existing_file(tmp_path):
    dest = tmp_path / "taken.sqlite3"
    dest.write_bytes(b"")
    with pytest.raises(FileExistsError):
        homeward.backup.backup_sqlite(connection.settings_dict["NAME"], dest)


@on_postgres
def test_on_postgresql_the_command_points_at_the_pg_dump_runbook(tmp_path):
    with pytest.raises(CommandError, match="pg_dump/pg_restore runbook in docs/operations.md"):
        call_command("backup_drill", "--dir", str(tmp_path), stdout=StringIO())
    assert not any(tmp_path.iterdir())
