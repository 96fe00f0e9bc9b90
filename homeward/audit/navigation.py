"""Menu entries this app adds for a signed-in user: (label, url name)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeward.identity.roles import Capability

if TYPE_CHECKING:
    from homeward.identity.models import User


def nav_items(user: User) -> list[tuple[str, str]]:
    from homeward.audit.views import ANOMALY_READERS

    items = [("Audit log", "audit:search")] if user.can(Capability.READ_AUDIT_LOG) else []
    if user.role in ANOMALY_READERS:
        items.append(("Audit review", "audit:anomalies"))
    if user.can(Capability.RESPOND_TO_BREACHES):
        items.append(("Breaches", "audit:breach_list"))
    return items
