"""Reads of person records, scoped and logged. Search results are consultations too (AUD-2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from homeward.audit.log import audit_consultation
from homeward.episodes.models import OPEN_STATUSES, Episode, RiskAssessment
from homeward.episodes.sharing import episode_visibility, person_visibility
from homeward.identity.models import User
from homeward.identity.sharing_rules import part_shown, shown_fields_for
from homeward.people.models import (
    Person,
    PersonAddress,
    PersonAlias,
    PersonAssociate,
    PersonContact,
    PersonMarker,
    PersonPhoto,
    PersonPlace,
)
from homeward.people.search import Candidate, SearchQuery, people_search


def people_visible_to(actor: User, *, include_merged: bool = False) -> QuerySet[Person]:
    """People the actor may see. Merged records (tombstones) are left out of searches and lists; only
    reading one by id (person_for) still finds it, so old links resolve to "merged into …"."""
    people = Person.objects.filter(person_visibility(actor))
    return people if include_merged else people.filter(merged_into__isnull=True)


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
    """One person record, merged ones included. A merged record owns no episodes any more, so it is also
    found when the record it was merged into is visible: its old links keep working for those who may
    follow them."""
    visible = people_visible_to(actor, include_merged=True)
    person = (
        Person.objects.filter(Q(pk__in=visible.values("pk")) | Q(merged_into__in=visible.values("pk")))
        .select_related("placing_authority", "home_district", "merged_into")
        .filter(pk=pk)
        .first()
    )
    if person is None:
        raise Http404("No such person")
    person.shown_fields = shown_fields_for(actor, "person", force_id=person.force_id)
    if log:
        audit_consultation(
            actor=actor, event_type="person.viewed", object_type="person", object_ids=[person.pk]
        )
    return person


@dataclass
class PersonHistory:
    # Every episode the viewer may see, newest first: those reported in error too, so the person's page can
    # list them marked as such and link to them (what was reported, and its correction, stay on record).
    episodes: list[Episode]
    repeat_count: int  # counted episodes reported in the repeat window (default 365 days) up to now
    window_days: int

    @property
    def counted_episodes(self) -> list[Episode]:
        """The episodes that count (`Episode.is_counted`), newest first: what totals, the risk history and
        the next risk grading are built from. Decisions not to record and reports in error are left out."""
        return [e for e in self.episodes if e.is_counted]

    @property
    def total(self) -> int:
        """The person's counted episodes, all time ("N in all")."""
        return len(self.counted_episodes)

    @property
    def latest_counted(self) -> Episode | None:
        """The newest counted episode: the one whose pattern describes the person now."""
        return next(iter(self.counted_episodes), None)


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
        repeat_count=sum(1 for e in episodes if e.reported_at >= since and e.is_counted),
        window_days=window,
    )


def person_photo_for(*, actor: User, pk: int) -> PersonPhoto:
    photo = PersonPhoto.objects.filter(
        person__in=people_visible_to(actor, include_merged=True), pk=pk
    ).first()
    if photo is None:
        raise Http404("No such photo")
    audit_consultation(
        actor=actor, event_type="person.photo_viewed", object_type="person", object_ids=[photo.person_id]
    )
    return photo


@dataclass
class MergeSide:
    person: Person
    episodes: int  # episodes on the record that the actor may see
    open_episode: bool


def person_merge_side_for(*, actor: User, person: Person) -> MergeSide:
    """What the merge confirmation shows of one record: its episode counts (scoped like the history).

    Every episode row on the record, those reported in error included: the count says what the merge will
    move, not how often the person went missing."""
    episodes = Episode.objects.filter(episode_visibility(actor), person=person)
    return MergeSide(
        person=person,
        episodes=episodes.count(),
        open_episode=episodes.filter(status__in=OPEN_STATUSES).exists(),
    )


# --- The parts of one person record, for its pages -----------------------------------------------------
#
# Each takes a person from person_for: already scoped to the actor, its consultation logged once for the
# page, its `shown_fields` attached. A part the actor's field level withholds is not read at all (an
# empty queryset or list), so a template that forgot its `in person.shown_fields` test still shows
# nothing. A person without `shown_fields` did not come from a selector and gets no part.


def aliases_of(*, person: Person) -> QuerySet[PersonAlias]:
    return part_shown(person, "aliases", PersonAlias.objects.filter(person=person))


def markers_of(*, person: Person) -> QuerySet[PersonMarker]:
    """Every safeguarding marker, in force or not (the API lists both, with `active`)."""
    return part_shown(person, "markers", PersonMarker.objects.filter(person=person).order_by("pk"))


def latest_photo_of(*, person: Person) -> PersonPhoto | None:
    return part_shown(person, "photo", PersonPhoto.objects.filter(person=person)).first()


def addresses_of(*, person: Person) -> QuerySet[PersonAddress]:
    rows = PersonAddress.objects.filter(person=person).select_related("location", "placing_authority")
    return part_shown(person, "addresses", rows)


def associates_of(*, person: Person) -> QuerySet[PersonAssociate]:
    return part_shown(person, "associates", PersonAssociate.objects.filter(person=person))


def places_of(*, person: Person) -> QuerySet[PersonPlace]:
    return part_shown(person, "places", PersonPlace.objects.filter(person=person))


def contacts_of(*, person: Person) -> QuerySet[PersonContact]:
    return part_shown(person, "contacts", PersonContact.objects.filter(person=person))


def active_markers_of(*, actor: User, person: Person) -> QuerySet[PersonMarker]:
    """Safeguarding markers in force. Also called with `episode.person` of an episode from episode_for,
    which carries no `shown_fields` of its own: the actor's level for the person is worked out here."""
    shown = getattr(person, "shown_fields", None)
    if shown is None:
        shown = shown_fields_for(actor, "person", force_id=person.force_id)
    rows = PersonMarker.objects.filter(person=person, active=True).select_related("recorded_by")
    return rows if "markers" in shown else rows.none()


def risk_history_of(*, person: Person, history: PersonHistory) -> list[tuple[Episode, RiskAssessment]]:
    """Every risk grading of the counted episodes in `history`: person_history_for kept only the
    episodes the actor may see and prefetched their assessments, so this reads no more rows. What the
    next grading reads: a report in error (perhaps of someone else) must not make this person look high
    risk; it is still listed, marked, with its own page."""
    if "risk_history" not in getattr(person, "shown_fields", frozenset()):
        return []
    return [
        (episode, assessment)
        for episode in history.counted_episodes
        for assessment in episode.risk_assessments.all()
    ]
