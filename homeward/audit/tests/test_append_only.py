"""AUD-1/AUD-7: the database refuses to change or remove audit rows, whichever role connects."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from homeward.audit.guard import audit_maintenance
from homeward.audit.log import audit_chain_verify, audit_record
from homeward.audit.models import AuditEvent

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
