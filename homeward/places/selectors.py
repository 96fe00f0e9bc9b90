from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from homeward.audit.log import audit_consultation
from homeward.episodes.models import Episode
from homeward.episodes.sharing import episode_visibility, location_visibility
from homeward.identity.models import User
from homeward.places.models import Location


def locations_visible_to(actor: User) -> QuerySet[Location]:
    return Location.objects.filter(location_visibility(actor))


def locations_for(*, actor: User, category: str = "", district_id: int | None = None) -> QuerySet[Location]:
    """Premises with their episode counts (private homes are listed only through their episodes)."""
    qs = locations_visible_to(actor).exclude(category="private_home").select_related("district", "provider")
    if category:
        qs = qs.filter(category=category)
    if district_id:
        qs = qs.filter(district_id=district_id)
    return qs.annotate(
        episode_count=Count(
            "episode", filter=Q(episode__in=Episode.objects.filter(episode_visibility(actor)))
        )
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
