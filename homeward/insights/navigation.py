"""The menu entry for reports; the menu itself is assembled in identity.context_processors."""

from __future__ import annotations

from homeward.identity.models import User
from homeward.insights.access import allowed_reports


def nav_items(user: User) -> list[tuple[str, str]]:
    """[("Reports", "insights:index")] for users who may see at least one report, else []."""
    if not getattr(user, "is_authenticated", False) or not allowed_reports(user):
        return []
    return [("Reports", "insights:index")]
