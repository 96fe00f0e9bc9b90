"""Reads of person records, scoped and logged. Search results are consultations too (AUD-2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from homeward.audit.log import audit_consultation
from homeward.episodes.models import Episode
from homeward.episodes.sharing import episode_visibility, person_visibility
from homeward.identity.models import User
from homeward.people.models import Person, PersonPhoto
from homeward.people.search import Candidate, SearchQuery, people_search


def people_visible_to(actor: User) -> QuerySet[Person]:
    return Person.objects.filter(person_visibility(actor))


def people_search_for(*, actor: User, query: SearchQuery, limit: int = 10) -> list[Candidate]:
    candidates = people_search(query, people_visible_to(actor), limit=limit)
    audit_consultation(
        actor=actor,
        event_type="person.searched",
        object_type="person",
        object_ids=[c.person.pk for c in candidates],
    )
    return candidates


def person_for(*, actor: User, pk: int, log: bool = True) -> Person:
    person = (
        people_visible_to(actor).select_related("placing_authority", "home_district").filter(pk=pk).first()
    )
    if person is None:
        raise Http404("No such person")
    if log:
        audit_consultation(
            actor=actor, event_type="person.viewed", object_type="person", object_ids=[person.pk]
        )
    return person


@dataclass
class PersonHistory:
    episodes: list[Episode]
    repeat_count: int  # episodes reported in the repeat window (default 365 days) up to now
    window_days: int


def person_history_for(*, actor: User, person: Person) -> PersonHistory:
    episodes = list(
        Episode.objects.filter(episode_visibility(actor), person=person)
        .select_related("district", "missing_from")
        .prefetch_related("risk_assessments")
        .order_by("-reported_at")
    )
    window = settings.HOMEWARD_REPEAT_WINDOW_DAYS
    since = timezone.now() - dt.timedelta(days=window)
    return PersonHistory(
        episodes=episodes,
        repeat_count=sum(1 for e in episodes if e.reported_at >= since and e.status != "not_recorded"),
        window_days=window,
    )


def person_photo_for(*, actor: User, pk: int) -> PersonPhoto:
    photo = PersonPhoto.objects.filter(person__in=people_visible_to(actor), pk=pk).first()
    if photo is None:
        raise Http404("No such photo")
    audit_consultation(
        actor=actor, event_type="person.photo_viewed", object_type="person", object_ids=[photo.person_id]
    )
    return photo
