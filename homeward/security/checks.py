"""`check --deploy` on PostgreSQL: the application connects as a role that row-level security binds
(security baseline ACC-5) — not a superuser, not the tables' owner, without BYPASSRLS — and every
tenant table has its policy enabled and forced."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register
from django.db import connection
from django.db.utils import Error as DatabaseError

from homeward.security.row_security import POLICY, tenant_models


def row_security_problems() -> list[str]:
    """What stops row-level security from binding this connection; empty when it binds."""
    tables = [m._meta.db_table for m in tenant_models()]
    problems: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls, rolname FROM pg_roles WHERE rolname = current_user")
        superuser, bypass, role = cursor.fetchone()
        if superuser:
            problems.append(
                f"the database role {role!r} is a superuser, which row-level security never binds"
            )
        if bypass:
            problems.append(f"the database role {role!r} has BYPASSRLS")
        cursor.execute(
            """
            SELECT c.relname, pg_has_role(current_user, c.relowner, 'USAGE'), c.relrowsecurity,
                   c.relforcerowsecurity,
                   EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = %s)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relname = ANY(%s)
            """,
            [POLICY, tables],
        )
        for table, owns, enabled, forced, has_policy in cursor.fetchall():
            if owns:
                problems.append(f"the database role {role!r} owns {table} (or is a member of its owner)")
            if not (enabled and forced and has_policy):
                problems.append(f"{table} has no forced row-level security policy: run `homeward migrate`")
    return problems


@register("security", deploy=True)
def check_row_security(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if connection.vendor != "postgresql":
        return []
    try:
        problems = row_security_problems()
    except DatabaseError as error:
        return [Error(f"Could not check row-level security: {error}", id="homeward.security.E002")]
    return [
        Error(
            problem,
            hint="Connect as the application role described in docs/security.md, not the owner.",
            id="homeward.security.E001",
        )
        for problem in problems
    ]
