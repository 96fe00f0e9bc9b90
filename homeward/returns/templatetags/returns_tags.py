"""Panels this app adds to other pages. PLACEHOLDER — replaced by the returns helper."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("returns/_episode_panel.html", takes_context=True)
def returns_episode_panel(context: dict[str, Any], episode: Any) -> dict[str, Any]:
    return {"episode": episode}


@register.inclusion_tag("returns/_person_panel.html", takes_context=True)
def returns_person_panel(context: dict[str, Any], person: Any) -> dict[str, Any]:
    return {"person": person}
