"""Labels for locality risk assessments on the location pages."""

from __future__ import annotations

from django import template

from homeward.places.models import LocalityOutcome

register = template.Library()

_TAG_CLASSES: dict[str, str] = {
    LocalityOutcome.SUITABLE: "govuk-tag--green",
    LocalityOutcome.SUITABLE_WITH_CONDITIONS: "govuk-tag--yellow",
    LocalityOutcome.UNSUITABLE: "govuk-tag--red",
}


@register.filter
def locality_outcome_label(code: str | None) -> str:
    if not code:
        return "Not assessed"
    return str(dict(LocalityOutcome.choices).get(code, code))


@register.filter
def locality_tag_class(code: str | None) -> str:
    return _TAG_CLASSES.get(code or "", "govuk-tag--grey")
