"""Altering audit rows behind the application's back, for tests of what verify and the guard catch."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

_migration = importlib.import_module("homeward.audit.migrations.0002_append_only")


@contextmanager
def guard_removed() -> Iterator[None]:
    """Switch the append-only triggers off inside the test's transaction, then back on."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            for sql in _migration.SQLITE_REMOVE:
                cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
            else:
                for sql in _migration.SQLITE_INSTALL:
                    cursor.execute(sql)
