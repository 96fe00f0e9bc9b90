"""Panels this app adds to other apps' pages (the episode). Each asks a selector, so each shows only
what the viewer may see (and logs that it was shown)."""

from __future__ import annotations

from typing import Any

from django import template

from homeward.families import selectors

register = template.Library()


@register.inclusion_tag("families/_episode_panel.html", takes_context=True)
def families_episode_panel(context: dict[str, Any], episode: Any) -> dict[str, Any]:
    """The episode's family contact log, newest first, for those who may read it; nothing otherwise."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"log": None}
    log = selectors.family_contacts_for_episode(actor=user, episode=episode)
    return {
        "episode": episode,
        "log": log,
        "may_add": log is not None and selectors.may_log_family_contact(user, episode),
    }
