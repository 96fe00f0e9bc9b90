"""Make the audit archive records and the weekly anomaly reports append-only too (P12, AUD-7).

Both are evidence about the audit log, so they get the same guard as audit_auditevent (0002):

- `audit_auditarchive`: the anchor `homeward audit verify` starts from. Rewriting one would let events
  be removed and the gap hidden behind a new anchor; verify also cross-checks each anchor against the
  `audit_log.archived` event in the chain, and this makes the row itself immutable as well.
- `audit_auditanomalyreport`: what a force's supervisors were told about a week. Rewriting or deleting
  one would hide that a warning was ever given.

What the application does with them decides the rules. Both are only ever inserted, once: an archive
run inserts one row (`homeward.audit.retention.archive_before`); the weekly review inserts one report
per force and week and never regenerates it — a second sweep finds the unique (force, week) row and
does nothing (`homeward.audit.anomalies.deliver_anomaly_reports`). Nothing updates or deletes them, so
rows are immutable from creation: UPDATE is refused always, and DELETE/TRUNCATE unless audit
maintenance is on for the connection (`homeward.audit.guard.audit_maintenance`), which only `flush`
outside production uses — the tests empty the database between transactional tests. If a retention
schedule for these rows is ever wanted it belongs in a job that runs under `audit_maintenance()` and
logs an erasure event, as the event archive does.

SQLite's DELETE triggers ask the `homeward_audit_maintenance()` function Homeward registers on its own
connections (0002 explains why). A later migration that rebuilds either table on SQLite drops its
triggers and must run these statements again (test_append_only checks they exist).
"""

from django.db import migrations

TABLES = ("audit_auditarchive", "audit_auditanomalyreport")

# One function for both tables: the message names the table the refused statement was aimed at.
POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION homeward_audit_record_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE')
       AND coalesce(current_setting('homeward.audit_maintenance', true), '') = 'on' THEN
        IF TG_LEVEL = 'ROW' THEN
            RETURN OLD;
        END IF;
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def _postgres_install(table: str) -> str:
    return f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION homeward_audit_record_append_only();
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION homeward_audit_record_append_only();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION homeward_audit_record_append_only();
"""


def _postgres_remove(table: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {table}_no_update ON {table};
DROP TRIGGER IF EXISTS {table}_no_delete ON {table};
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
"""


def sqlite_install(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        "WHEN NOT homeward_audit_maintenance() "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END",
    ]


def sqlite_remove(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]


POSTGRES_INSTALL = [POSTGRES_FUNCTION, *(_postgres_install(t) for t in TABLES)]
POSTGRES_REMOVE = [
    *(_postgres_remove(t) for t in TABLES),
    "DROP FUNCTION IF EXISTS homeward_audit_record_append_only()",
]
SQLITE_INSTALL = [sql for t in TABLES for sql in sqlite_install(t)]
SQLITE_REMOVE = [sql for t in TABLES for sql in sqlite_remove(t)]


def _run(schema_editor, postgres: list[str], sqlite: list[str]) -> None:  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    statements = postgres if vendor == "postgresql" else sqlite if vendor == "sqlite" else []
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    _run(schema_editor, POSTGRES_INSTALL, SQLITE_INSTALL)


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    _run(schema_editor, POSTGRES_REMOVE, SQLITE_REMOVE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_breach_incident")]

    operations = [migrations.RunPython(install, remove)]
