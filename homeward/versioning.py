"""Optimistic locking, in one place: write only if nobody saved since the version the user saw.

`select_for_update` does nothing on SQLite, so every versioned record (episodes, return interviews,
profiles…) is written with `UPDATE … WHERE version = n` and the row count tells whether it won.
Callers keep their own history rows and conflict messages; see docs/concurrency.md.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Model


def update_if_unchanged(model: type[Model], *, pk: int, expected_version: int, **fields: Any) -> int | None:
    """Apply `fields` and bump the version if the row is still at `expected_version`.

    Returns None when written; otherwise the row's current version (0 if it has gone), and writes nothing.
    """
    manager = model._default_manager
    if manager.filter(pk=pk, version=expected_version).update(version=F("version") + 1, **fields):
        return None
    current = manager.filter(pk=pk).values_list("version", flat=True).first()
    return current or 0
