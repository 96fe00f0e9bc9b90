"""Menu entries this app adds for a signed-in user: (label, url name)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeward.returns.selectors import is_assigner, is_rhi_worker, sees_cases

if TYPE_CHECKING:
    from homeward.identity.models import User


def nav_items(user: User) -> list[tuple[str, str]]:
    if is_rhi_worker(user):
        return [("My interviews", "returns:mine")]
    # Police and councils follow interviews through their cases; a service's allocating officer
    # finds its unassigned referrals on the same list.
    if sees_cases(user) or is_assigner(user):
        return [("Return interviews", "returns:list")]
    return []
