"""Menu entries this app adds for a signed-in user: (label, url name)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeward.identity.roles import Capability
from homeward.notifications.selectors import unread_count_for

if TYPE_CHECKING:
    from homeward.identity.models import User


def nav_items(user: User) -> list[tuple[str, str]]:
    """Every role that works on cases gets the inbox, with its unread count in the label.

    Police included: today forces are senders rather than recipients, but a rule that notifies a
    force (another force's placement, say) then needs no menu change.
    """
    if not user.can(Capability.VIEW_CASES):
        return []
    return [(f"Inbox ({unread_count_for(actor=user)})", "notifications:inbox")]
