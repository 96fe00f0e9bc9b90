"""Panels this app adds to other apps' pages. The viewer is context["request"].user."""

from __future__ import annotations

from typing import Any

from django import template

from homeward.identity.roles import Capability
from homeward.notifications.selectors import notifications_for_episode

register = template.Library()


@register.inclusion_tag("notifications/_episode_panel.html", takes_context=True)
def notifications_episode_panel(context: dict[str, Any], episode: Any) -> dict[str, Any]:
    """Who was told about this episode: everyone for the owning force, only themselves for a partner."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"episode": episode, "notifications": [], "show": False}
    org = user.organisation
    return {
        "episode": episode,
        "notifications": notifications_for_episode(actor=user, episode=episode),
        "show": user.can(Capability.VIEW_CASES),
        "is_force": bool(org is not None and org.is_police and org.pk == episode.force_id),
    }


@register.inclusion_tag("notifications/_person_panel.html", takes_context=True)
def notifications_person_panel(context: dict[str, Any], person: Any) -> dict[str, Any]:
    # Notifications belong to episodes; the person page links to those, so it shows nothing of its own.
    return {"person": person}
