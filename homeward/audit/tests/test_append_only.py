"""AUD-1/AUD-7: the database refuses to change or remove audit rows, whichever role connects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from homeward.audit.guard import audit_maintenance
from homeward.audit.log import audit_chain_verify, audit_record
from homeward.audit.models import AuditAnomalyReport, AuditArchive, AuditEvent

# On PostgreSQL these run as the tables' owner: the triggers must hold even for it, and the grant test
# creates its own role (the application's role may not change audit rows at all).
pytestmark = [pytest.mark.django_db, pytest.mark.database_owner]

on_postgres = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only")


def _event(actor: object) -> AuditEvent:
    return audit_record(actor=actor, operation="consultation", event_type="test.viewed", object_ids=[1])  # type: ignore[arg-type]


def _refused(sql: str, params: list[object] | None = None) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_update_by_raw_sql_is_refused(world):
    event = _event(world.officer)
    _refused("UPDATE audit_auditevent SET reason_text = 'rewritten' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).reason_text == ""


def test_delete_by_raw_sql_and_orm_is_refused(world):
    event = _event(world.officer)
    _refused("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.all().delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.reason_text = "rewritten"
        event.save()
    assert AuditEvent.objects.count() == 1
    assert audit_chain_verify() == (True, 1, None)


@on_postgres
def test_truncate_is_refused_on_postgresql(world):
    _event(world.officer)
    _refused("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 1


def test_maintenance_allows_delete_but_never_update(world):
    event = _event(world.officer)
    with audit_maintenance():
        _refused("UPDATE audit_auditevent SET reason_text = 'rewritten' WHERE id = %s", [event.pk])
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert not AuditEvent.objects.exists()
    # Switched off again when the block ends.
    _event(world.officer)
    _refused("DELETE FROM audit_auditevent")


def test_the_triggers_are_installed():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditevent'::regclass AND NOT tgisinternal"
            )
            expected = {
                "audit_auditevent_no_update",
                "audit_auditevent_no_delete",
                "audit_auditevent_no_truncate",
            }
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'"
            )
            expected = {"audit_auditevent_no_update", "audit_auditevent_no_delete"}
        assert {row[0] for row in cursor.fetchall()} == expected


@on_postgres
def test_an_application_role_without_the_grants_cannot_remove_rows_even_in_maintenance(world):
    """The REVOKE in docs/audit.md: the app role may insert and read, nothing else (AUD-7)."""
    event = _event(world.officer)
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE homeward_app_audit_test NOLOGIN")
        cursor.execute("GRANT SELECT, INSERT ON audit_auditevent TO homeward_app_audit_test")
        cursor.execute("GRANT USAGE ON SEQUENCE audit_auditevent_id_seq TO homeward_app_audit_test")
        cursor.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditevent FROM homeward_app_audit_test")
        cursor.execute("SET LOCAL ROLE homeward_app_audit_test")
    try:
        with audit_maintenance():
            for sql, params in (
                ("DELETE FROM audit_auditevent WHERE id = %s", [event.pk]),
                ("TRUNCATE audit_auditevent", None),
                ("UPDATE audit_auditevent SET reason_text = 'x' WHERE id = %s", [event.pk]),
            ):
                with (
                    pytest.raises(DatabaseError, match="permission denied"),
                    transaction.atomic(),
                    connection.cursor() as cursor,
                ):
                    cursor.execute(sql, params)
        # Inserting still works: the application can go on logging.
        _event(world.officer)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert AuditEvent.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_outside_production(world):
    """Transactional tests end with `flush`; the guard must not stop it (it would on production)."""
    _event(world.officer)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_flush_in_production_leaves_the_log_alone(world, settings):
    settings.PRODUCTION = True
    _event(world.officer)
    with pytest.raises(CommandError, match="couldn't be flushed"):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 1
    settings.PRODUCTION = False  # so the test's own teardown can flush


# --- The archive anchors and the weekly anomaly reports (migration 0006) -------------------------------


def _archive_record() -> AuditArchive:
    """An anchor row as `homeward audit archive` inserts it (the only write the application makes)."""
    return AuditArchive.objects.create(
        archived_through_id=41,
        anchor_hash="a" * 64,
        count=41,
        file_sha256="f" * 64,
        created_at=timezone.now(),
    )


def _anomaly_report(world: Any) -> AuditAnomalyReport:
    """A weekly report as the review sweep inserts it (once per force and week, never regenerated)."""
    return AuditAnomalyReport.objects.create(
        force=world.force, week_ending=dt.date(2026, 11, 15), created_at=timezone.now(), findings=[]
    )


class RecordTable(NamedTuple):
    make: Callable[[Any], Any]
    update: str
    delete: str
    truncate: str
    count: str


# Written out in full (not built from the table's name) so each statement reads as what it tries.
RECORDS = {
    "audit_auditarchive": RecordTable(
        lambda world: _archive_record(),
        "UPDATE audit_auditarchive SET anchor_hash = 'b' WHERE id = %s",
        "DELETE FROM audit_auditarchive WHERE id = %s",
        "TRUNCATE audit_auditarchive",
        "SELECT COUNT(*) FROM audit_auditarchive",
    ),
    "audit_auditanomalyreport": RecordTable(
        _anomaly_report,
        "UPDATE audit_auditanomalyreport SET findings = '[]' WHERE id = %s",
        "DELETE FROM audit_auditanomalyreport WHERE id = %s",
        "TRUNCATE audit_auditanomalyreport",
        "SELECT COUNT(*) FROM audit_auditanomalyreport",
    ),
}
each_record_table = pytest.mark.parametrize("table", sorted(RECORDS))


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(RECORDS[table].count)
        return int(cursor.fetchone()[0])


@each_record_table
def test_records_about_the_log_are_inserted_as_the_application_does(world, table):
    RECORDS[table].make(world)
    assert _count(table) == 1


@each_record_table
def test_records_about_the_log_cannot_be_updated_or_deleted(world, table):
    statements = RECORDS[table]
    record = statements.make(world)
    _refused(statements.update, [record.pk])
    _refused(statements.delete, [record.pk])
    with pytest.raises(DatabaseError, match=f"{table} is append-only"), transaction.atomic():
        type(record).objects.all().delete()
    with pytest.raises(DatabaseError, match=f"{table} is append-only: UPDATE refused"), transaction.atomic():
        record.created_at = timezone.now() - dt.timedelta(days=1)
        record.save()
    assert type(record).objects.get(pk=record.pk).created_at != record.created_at
    assert _count(table) == 1


@on_postgres
@each_record_table
def test_records_about_the_log_cannot_be_truncated_on_postgresql(world, table):
    RECORDS[table].make(world)
    with connection.cursor() as cursor:
        # Check the report's deferred foreign key now: PostgreSQL refuses TRUNCATE with one pending, and
        # the refusal tested here must be the trigger's.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    _refused(RECORDS[table].truncate)
    assert _count(table) == 1


@each_record_table
def test_maintenance_allows_deleting_records_about_the_log_but_never_updating(world, table):
    statements = RECORDS[table]
    record = statements.make(world)
    with audit_maintenance():
        _refused(statements.update, [record.pk])
        type(record).objects.filter(pk=record.pk).delete()
    assert _count(table) == 0
    # Switched off again when the block ends.
    again = statements.make(world)
    _refused(statements.delete, [again.pk])


def test_the_triggers_on_records_about_the_log_are_installed():
    with connection.cursor() as cursor:
        for table in RECORDS:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table]
                )
                expected = {f"{table}_no_update", f"{table}_no_delete", f"{table}_no_truncate"}
            else:
                cursor.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
                )
                expected = {f"{table}_no_update", f"{table}_no_delete"}
            assert {row[0] for row in cursor.fetchall()} == expected, table


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_records_about_the_log_outside_production(world):
    _archive_record()
    _anomaly_report(world)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditArchive.objects.exists() and not AuditAnomalyReport.objects.exists()
