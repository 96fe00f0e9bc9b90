"""Panels this app adds to other apps' pages (person, episode, location). Each asks a selector, so each
shows only what the viewer may see (and logs what it showed); the viewer is the request's signed-in user."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from homeward.prevention import selectors

register = template.Library()


def _viewer(context: Any) -> Any:
    request = context.get("request")
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@register.inclusion_tag("prevention/_person_panel.html", takes_context=True)
def prevention_person_panel(context: dict[str, Any], person: Any) -> dict[str, Any]:
    viewer = _viewer(context)
    panel = selectors.person_panel_for(actor=viewer, person=person) if viewer is not None else None
    return {"person": person, "panel": panel}


@register.inclusion_tag("prevention/_episode_panel.html", takes_context=True)
def prevention_episode_panel(context: dict[str, Any], episode: Any) -> dict[str, Any]:
    viewer = _viewer(context)
    panel = selectors.episode_panel_for(actor=viewer, episode=episode) if viewer is not None else None
    return {"episode": episode, "panel": panel}


@register.inclusion_tag("prevention/_location_panel.html", takes_context=True)
def prevention_location_panel(context: dict[str, Any], location: Any) -> dict[str, Any]:
    viewer = _viewer(context)
    panel = selectors.location_panel_for(actor=viewer, location=location) if viewer is not None else None
    return {"location": location, "panel": panel, "now": timezone.now()}
