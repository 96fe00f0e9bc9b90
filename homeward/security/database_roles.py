"""The application's own PostgreSQL role (docs/security.md "Database roles"): what it may do, as SQL.

Migrations run as the owner of the tables; the web server and worker connect as this role, which owns
nothing, is not a superuser and has no BYPASSRLS — so the row-level security policies bind it (ACC-5)
and it cannot change or remove audit rows (AUD-7). Run `homeward grant_application_role NAME` as the
owner after each `migrate` that adds tables: GRANT ... ON ALL TABLES reaches only tables that exist.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

# Tables the application may add to but never change: the audit log and its archive anchors.
APPEND_ONLY_TABLES = ("audit_auditevent",)


def application_role_statements(role: str, *, create: bool) -> list[str]:
    from psycopg import sql

    name = sql.Identifier(role).as_string()
    statements = []
    if create:
        statements.append(
            f"DO $$ BEGIN CREATE ROLE {name} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
    statements += [
        f"GRANT USAGE ON SCHEMA public TO {name}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}",
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {name}",
    ]
    statements += [f"REVOKE UPDATE, DELETE, TRUNCATE ON {t} FROM {name}" for t in APPEND_ONLY_TABLES]
    return statements


def grant_application_role(connection: BaseDatabaseWrapper, role: str, *, create: bool = False) -> None:
    with connection.cursor() as cursor:
        for statement in application_role_statements(role, create=create):
            cursor.execute(statement)
