"""Panels this app adds to other pages: the episode page's right column and the person page."""

from __future__ import annotations

from typing import Any

from django import template

from homeward.protocols import selectors

register = template.Library()


def _viewer(context: Any) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


@register.inclusion_tag("protocols/_episode_panel.html", takes_context=True)
def protocols_episode_panel(context: Any, episode: Any) -> dict[str, Any]:
    """Part 1 of the person's profile and any part 2 for this episode, for those the profile is shared with."""
    user = _viewer(context)
    if user is None or not user.is_authenticated or not selectors.can_see_profiles(user):
        return {"show": False}
    profile = selectors.active_profile_for_person(actor=user, person=episode.person)
    reports = selectors.reports_for_episode(actor=user, episode=episode)
    sections = profile.part1_sections(only_filled=True) if profile is not None else []
    return {
        "show": True,
        "episode": episode,
        "profile": profile,
        "row": selectors.profile_row(profile) if profile is not None else None,
        "sections": sections,
        "reports": reports,
    }


@register.inclusion_tag("protocols/_person_panel.html", takes_context=True)
def protocols_person_panel(context: Any, person: Any) -> dict[str, Any]:
    """Whether the person has a profile the viewer may see, with a link; a keeper may start one."""
    user = _viewer(context)
    if user is None or not user.is_authenticated or not selectors.can_see_profiles(user):
        return {"show": False}
    profile = selectors.active_profile_for_person(actor=user, person=person)
    return {
        "show": True,
        "person": person,
        "profile": profile,
        "row": selectors.profile_row(profile) if profile is not None else None,
        "police": selectors.is_police_caseworker(user),
        "can_start": profile is None and selectors.is_keeper(user),
    }
