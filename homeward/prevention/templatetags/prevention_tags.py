"""Panels this app adds to other apps' pages (person, episode, location)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def prevention_person_panel(context: dict[str, Any], person: Any) -> str:
    return ""


@register.simple_tag(takes_context=True)
def prevention_episode_panel(context: dict[str, Any], episode: Any) -> str:
    return ""


@register.simple_tag(takes_context=True)
def prevention_location_panel(context: dict[str, Any], location: Any) -> str:
    return ""
