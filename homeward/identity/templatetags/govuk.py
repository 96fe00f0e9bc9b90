"""Small template helpers for rendering Django forms with GOV.UK Frontend markup."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.forms import BoundField
from django.utils import timezone

from homeward.episodes import policy

register = template.Library()


@register.filter
def widget_type(field: BoundField) -> str:
    return str(field.field.widget.__class__.__name__).lower()


@register.filter
def risk_label(code: str) -> str:
    return policy.risk_label(code)


@register.filter
def risk_tag_class(code: str) -> str:
    return {
        "high": "govuk-tag--red",
        "medium": "govuk-tag--orange",
        "low": "govuk-tag--yellow",
        "very_low": "govuk-tag--green",
    }.get(code, "govuk-tag--grey")


@register.filter
def status_tag_class(status: str) -> str:
    return {
        "reported": "govuk-tag--purple",
        "active": "govuk-tag--blue",
        "long_term": "govuk-tag--pink",
        "found": "govuk-tag--green",
        "found_deceased": "govuk-tag--grey",
        "closed": "govuk-tag--grey",
        "not_recorded": "govuk-tag--grey",
    }.get(status, "")


@register.filter
def duration(minutes: int) -> str:
    """'2 d 3 h', '3 h 20 min', '15 min'."""
    minutes = max(0, int(minutes))
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{mins} min"


@register.filter
def until(when: dt.datetime | None) -> str:
    """'in 1 h 20 min' or 'overdue by 15 min'."""
    if when is None:
        return ""
    delta = int((when - timezone.now()).total_seconds() // 60)
    return f"in {duration(delta)}" if delta >= 0 else f"overdue by {duration(-delta)}"


@register.filter
def get_item(mapping: dict[str, Any] | None, key: str) -> Any:
    return (mapping or {}).get(key)
