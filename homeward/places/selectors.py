"""Reads of premises and their locality risk assessments, scoped by `location_visibility`.

A locality assessment is seen by whoever may see its location, and only them: the force sees every
location in its force; a council sees premises in its districts or run by it; a care provider or NHS
trust sees its own premises; and a private home is never listed (it is only reachable through an
episode the viewer may see). "Not yours" and "not there" are the same 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from homeward.audit.log import audit_consultation
from homeward.episodes.models import Episode
from homeward.episodes.sharing import episode_visibility, location_visibility
from homeward.identity.models import User
from homeward.places.models import LocalityRiskAssessment, Location


def locations_visible_to(actor: User) -> QuerySet[Location]:
    return Location.objects.filter(location_visibility(actor))


def locations_for(*, actor: User, category: str = "", district_id: int | None = None) -> QuerySet[Location]:
    """Premises with their episode counts (private homes are listed only through their episodes)."""
    qs = locations_visible_to(actor).exclude(category="private_home").select_related("district", "provider")
    if category:
        qs = qs.filter(category=category)
    if district_id:
        qs = qs.filter(district_id=district_id)
    # The current locality outcome: a location's assessments are seen by whoever sees the location.
    latest = LocalityRiskAssessment.objects.filter(location=OuterRef("pk")).order_by("-assessed_on", "-pk")
    return qs.annotate(
        episode_count=Count(
            # Reports in error are left out: they say nothing about the premises (docs/definitions.md).
            "episode",
            filter=Q(episode__in=Episode.objects.received().filter(episode_visibility(actor))),
        ),
        locality_outcome=Subquery(latest.values("outcome")[:1]),
        locality_review_due=Subquery(latest.values("review_due")[:1]),
    )


def location_for(*, actor: User, pk: int) -> Location:
    location = locations_visible_to(actor).select_related("district", "provider").filter(pk=pk).first()
    if location is None:
        raise Http404("No such location")
    return location


def location_episodes_for(*, actor: User, location: Location, limit: int = 200) -> list[Episode]:
    episodes = list(
        Episode.objects.filter(episode_visibility(actor), missing_from=location)
        .select_related("person", "district")
        .order_by("-reported_at")[:limit]
    )
    audit_consultation(
        actor=actor,
        event_type="location.episodes_listed",
        object_type="episode",
        object_ids=[e.pk for e in episodes],
    )
    return episodes


@dataclass(frozen=True)
class LocalityHistory:
    """A location's locality assessments, newest first; the first is the current one."""

    assessments: list[LocalityRiskAssessment]

    @property
    def latest(self) -> LocalityRiskAssessment | None:
        return self.assessments[0] if self.assessments else None


def locality_assessments_for(*, actor: User, location: Location, limit: int = 100) -> LocalityHistory:
    """The locality assessments of a location the actor may see (else 404), logged as a consultation:
    the reasons can name places and people around the premises."""
    if not locations_visible_to(actor).filter(pk=location.pk).exists():
        raise Http404("No such location")
    assessments = list(
        LocalityRiskAssessment.objects.filter(location=location)
        .select_related("assessed_by", "organisation")
        .order_by("-assessed_on", "-pk")[:limit]
    )
    if assessments:
        audit_consultation(
            actor=actor,
            event_type="locality_assessment.listed",
            object_type="locality_assessment",
            object_ids=[a.pk for a in assessments],
        )
    return LocalityHistory(assessments=assessments)
