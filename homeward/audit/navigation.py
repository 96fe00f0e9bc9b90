"""Menu entries this app adds for a signed-in user: (label, url name).

Not yet listed in homeward/identity/context_processors.py (another app's file): adding
`audit_items` to its loop puts "Audit log" in the auditor's menu.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeward.identity.roles import Capability

if TYPE_CHECKING:
    from homeward.identity.models import User


def nav_items(user: User) -> list[tuple[str, str]]:
    return [("Audit log", "audit:search")] if user.can(Capability.READ_AUDIT_LOG) else []
