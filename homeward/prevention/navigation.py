"""Menu entries this app adds for a signed-in user: (label, url name)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeward.identity.roles import Capability, Role
from homeward.prevention.selectors import has_open_actions, may_plan

if TYPE_CHECKING:
    from homeward.identity.models import User


def nav_items(user: User) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    if may_plan(user):
        items.append(("Plans", "prevention:plans"))
    # Anyone given an action (a carer, an RHI worker, an officer) finds it here.
    if may_plan(user) or has_open_actions(user):
        items.append(("My actions", "prevention:mine"))
    # The register is not personal data; it is on the menu for those who follow the work or fund it.
    if (
        user.can(Capability.VIEW_CASES)
        or user.can(Capability.MANAGE_INITIATIVES)
        or user.role == Role.ANALYST
    ):
        items.append(("Initiatives", "prevention:initiatives"))
    return items
