"""Make audit_auditevent append-only in the database itself (AUD-1, AUD-7).

Triggers refuse UPDATE always, and DELETE/TRUNCATE unless audit maintenance is switched on for the
connection (`homeward.audit.guard.audit_maintenance`: only `flush` outside production and, later, the
retention job use it). They hold whatever role connects; the REVOKE in docs/audit.md takes the
privilege away from the application's role as well.

SQLite has no session settings, so its DELETE trigger asks a function that Homeward registers on each
of its own connections (`homeward_audit_maintenance()`); any other client (the sqlite3 shell) lacks the
function, so its DELETE fails too. A migration that rebuilds this table on SQLite drops the triggers:
it must run these statements again (test_append_only checks they exist).
"""

from django.db import migrations

MESSAGE = "audit_auditevent is append-only"

POSTGRES_INSTALL = f"""
CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE')
       AND coalesce(current_setting('homeward.audit_maintenance', true), '') = 'on' THEN
        IF TG_LEVEL = 'ROW' THEN
            RETURN OLD;
        END IF;
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only();
CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only();
CREATE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_append_only();
"""

POSTGRES_REMOVE = """
DROP TRIGGER IF EXISTS audit_auditevent_no_update ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_auditevent_no_delete ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_auditevent_append_only();
"""

SQLITE_INSTALL = [
    "CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END",
    "CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent "
    "WHEN NOT homeward_audit_maintenance() "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END",
]

SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
]


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    statements = [POSTGRES_INSTALL] if vendor == "postgresql" else SQLITE_INSTALL if vendor == "sqlite" else []
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    statements = [POSTGRES_REMOVE] if vendor == "postgresql" else SQLITE_REMOVE if vendor == "sqlite" else []
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
