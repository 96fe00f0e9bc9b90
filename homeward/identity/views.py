from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from homeward.identity.models import OrganisationKind
from homeward.identity.roles import Capability, Role
from homeward.identity.selectors import sharing_rules_all
from homeward.web import requires


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to the page where its work is; roles without casework get an explanation."""
    user = request.user
    if user.can(Capability.VIEW_DASHBOARD):  # type: ignore[union-attr]
        return redirect("dashboard")
    if user.can(Capability.VIEW_CASES):  # type: ignore[union-attr]
        org = user.organisation  # type: ignore[union-attr]
        if org is not None and org.kind == OrganisationKind.LOCAL_AUTHORITY:
            # A children's social care missing officer starts from what they have been told.
            return redirect("notifications:inbox")
        if getattr(user, "role", "") == Role.CARE_STAFF:
            # Care staff keep their residents' Philomena/Herbert profiles current.
            return redirect("protocols:list")
        return redirect("partner_home")
    if getattr(user, "role", "") == Role.RHI_WORKER:
        return redirect("returns:mine")
    if user.can(Capability.MANAGE_ACCOUNTS):  # type: ignore[union-attr]
        return redirect("accounts:list")
    return render(request, "identity/home.html")


@requires(Capability.VIEW_SHARING_RULES)
def sharing_rules(request: HttpRequest) -> HttpResponse:
    """Who sees what, as configured: the rules are data, so they are shown as data."""
    return render(request, "identity/sharing_rules.html", {"rules": sharing_rules_all()})
