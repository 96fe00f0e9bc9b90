"""Panels this app adds to other apps' pages. Each asks a selector, so each shows only what the viewer
may see (and logs that it was shown); the viewer is the signed-in user of the page's request."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from homeward.returns import selectors
from homeward.returns.models import ReturnInterview

register = template.Library()


def _viewer(context: Any) -> Any:
    request = context.get("request")
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@register.inclusion_tag("returns/_episode_panel.html", takes_context=True)
def returns_episode_panel(context: dict[str, Any], episode: Any) -> dict[str, Any]:
    viewer = _viewer(context)
    rhi: ReturnInterview | None = None
    if viewer is not None:
        rhi = selectors.rhi_for_episode(actor=viewer, episode=episode)
    return {
        "episode": episode,
        "rhi": rhi,
        "now": timezone.now(),
    }


@register.inclusion_tag("returns/_person_panel.html", takes_context=True)
def returns_person_panel(context: dict[str, Any], person: Any) -> dict[str, Any]:
    viewer = _viewer(context)
    if viewer is None:
        return {"person": person, "rhis": [], "findings": None, "pending": []}
    may_decide = selectors.may_decide_for(viewer, person)
    return {
        "person": person,
        "rhis": selectors.rhis_for_person(actor=viewer, person=person, limit=5),
        "findings": selectors.latest_findings_for(actor=viewer, person=person),
        "pending": selectors.proposals_pending_for(actor=viewer, person=person) if may_decide else [],
        "now": timezone.now(),
    }


@register.inclusion_tag("returns/_risk_panel.html", takes_context=True)
def returns_risk_panel(context: dict[str, Any], person: Any) -> dict[str, Any]:
    """What the last interviews found, beside the next risk assessment (SPEC §3)."""
    viewer = _viewer(context)
    findings = selectors.latest_findings_for(actor=viewer, person=person) if viewer is not None else None
    return {"person": person, "findings": findings}
