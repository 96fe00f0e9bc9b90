"""Menu entries this app adds for a signed-in user: (label, url name)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeward.identity.roles import Capability
from homeward.protocols.selectors import can_see_profiles, is_police_caseworker

if TYPE_CHECKING:
    from homeward.identity.models import User


def nav_items(user: User) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    police_reporter = is_police_caseworker(user) and user.can(Capability.REPORT)
    # Police who only investigate reach profiles from the person and episode pages, when needed.
    if police_reporter or (can_see_profiles(user) and not is_police_caseworker(user)):
        items.append(("Profiles", "protocols:list"))
    if police_reporter:
        items.append(("Submitted reports", "protocols:submitted"))
    return items
