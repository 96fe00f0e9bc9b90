from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from homeward.identity.roles import Capability
from homeward.identity.signin import session_second_factor_verified


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not session_second_factor_verified(request.session):
        # Signed out, or only half signed in: no menu of pages the session cannot reach yet.
        return {"nav_items": [], "demo_mode": not settings.PRODUCTION}
    items = []
    if user.can(Capability.VIEW_DASHBOARD):
        items.append(("Dashboard", "dashboard"))
    if user.can(Capability.REPORT):
        items.append(("Report missing", "report_start"))
    if user.can(Capability.VIEW_CASES):
        items.append(("People", "person_search"))
        items.append(("Locations", "location_list"))
    if user.can(Capability.DECIDE_ESCALATION):
        items.append(("Appeals", "escalation_list"))
    if user.can(Capability.MANAGE_ACCOUNTS):
        items.append(("Accounts", "accounts:list"))
    if user.can(Capability.VIEW_SHARING_RULES):
        items.append(("Sharing rules", "sharing_rules"))
    if user.can(Capability.MANAGE_DATA_PROTECTION):
        items.append(("Data protection", "dataprotection:queue"))
    from homeward.audit.navigation import nav_items as audit_items
    from homeward.insights.navigation import nav_items as report_items
    from homeward.notifications.navigation import nav_items as notification_items
    from homeward.prevention.navigation import nav_items as prevention_items
    from homeward.protocols.navigation import nav_items as protocol_items
    from homeward.returns.navigation import nav_items as return_items

    for extra in (
        notification_items,
        protocol_items,
        return_items,
        prevention_items,
        report_items,
        audit_items,
    ):
        items.extend(extra(user))
    return {
        "fully_signed_in": True,
        "nav_items": items,
        "current_path": request.path,
        "persistent_days": settings.HOMEWARD_PERSISTENT_WINDOW_DAYS,
    }
