"""Pseudonymised row-level data for analysts who may see rows but not identities (docs/data-protection.md).

A person's id becomes a keyed hash: HMAC-SHA256 of the id under a key derived from SECRET_KEY, so it is
stable within a deployment (the same person has the same pseudonym in every week's list and every
export, and analysts can count repeats), cannot be reversed or recomputed without the key, and changes
if the key is rotated. Names are omitted, and so is anything that points at a home address.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings

from homeward.insights.weekly import EpisodeRow, WeeklyDatasets

_PURPOSE = b"homeward.dataprotection.pseudonym.v1"
PRIVATE_HOME = "private_home"


def _key() -> bytes:
    # Derived, so the raw SECRET_KEY is never used directly as the HMAC key of published values.
    return hmac.new(settings.SECRET_KEY.encode(), _PURPOSE, hashlib.sha256).digest()


def pseudonym(person_id: int) -> str:
    """A stable, non-reversible stand-in for a person id: "P" and 16 hex digits (64 bits)."""
    digest = hmac.new(_key(), f"person:{person_id}".encode(), hashlib.sha256).hexdigest()
    return f"P{digest[:16]}"


@dataclass
class PseudonymisedWeeklyDatasets(WeeklyDatasets):
    """Rows carry pseudonyms; person_ids() still answers with the real ids, for the audit log only (an
    audit event must name the people disclosed, and subject access exports find them by id)."""

    real_person_ids: frozenset[int] = field(default_factory=frozenset)

    def person_ids(self) -> set[int]:
        return set(self.real_person_ids)


def _row(row: Any) -> Any:
    changes: dict[str, Any] = {"person_id": pseudonym(row.person_id), "name": ""}
    if isinstance(row, EpisodeRow) and row.missing_from_category == PRIVATE_HOME:
        changes["missing_from"] = ""
    return replace(row, **changes)


def pseudonymise_weekly(data: WeeklyDatasets) -> PseudonymisedWeeklyDatasets:
    return PseudonymisedWeeklyDatasets(
        as_of=data.as_of,
        district=data.district,
        periods=data.periods,
        lists={key: [_row(r) for r in rows] for key, rows in data.lists.items()},
        real_person_ids=frozenset(data.person_ids()),
    )
