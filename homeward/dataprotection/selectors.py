"""Reads for data protection work, scoped to the actor's force and logged.

Only a holder of MANAGE_DATA_PROTECTION in a police force sees anything here, and only the force's own
people; anyone else gets the same 404 as for a record that does not exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from homeward.audit.log import audit_consultation, audit_record
from homeward.audit.models import Operation
from homeward.dataprotection import retention
from homeward.dataprotection.models import RetentionReview
from homeward.dataprotection.subject_access import subject_access_document
from homeward.episodes.models import Episode
from homeward.identity.models import User
from homeward.identity.roles import Capability
from homeward.people.models import Person


def _force_id(actor: User, capability: str = Capability.MANAGE_DATA_PROTECTION) -> int:
    org = actor.organisation if actor.can(capability) else None
    if org is None or not org.is_police or not org.force_id:
        raise Http404("No such record")
    return org.force_id


def people_in_force_for(*, actor: User) -> QuerySet[Person]:
    return Person.objects.filter(force_id=_force_id(actor))


def dp_person_for(*, actor: User, pk: int, log: bool = True) -> Person:
    person = people_in_force_for(actor=actor).filter(pk=pk).first()
    if person is None:
        raise Http404("No such person")
    if log:
        audit_consultation(
            actor=actor, event_type="dataprotection.person_viewed", object_type="person", object_ids=[pk]
        )
    return person


def episodes_of(*, person: Person) -> QuerySet[Episode]:
    """Every episode of a person from dp_person_for, newest first: the data protection officer reviews
    the whole record in the force, so no sharing rule or field group narrows it."""
    return Episode.objects.filter(person=person).order_by("-reported_at")


def retention_reviews_of(*, person: Person) -> QuerySet[RetentionReview]:
    """The retain/erase decisions on a person from dp_person_for."""
    return RetentionReview.objects.filter(person=person).select_related("decided_by")


def review_queue_for(*, actor: User, today: dt.date | None = None) -> list[retention.ReviewRow]:
    rows = retention.review_queue(people_in_force_for(actor=actor), today or timezone.localdate())
    audit_consultation(
        actor=actor,
        event_type="dataprotection.review_queue_viewed",
        object_type="person",
        object_ids=[r.person_id for r in rows],
    )
    return rows


def subject_access_export_for(*, actor: User, pk: int) -> dict[str, Any]:
    """The export, logged as a disclosure (to the data subject, outside any organisation) naming the
    person; the caller serves it as an attachment."""
    person = dp_person_for(actor=actor, pk=pk, log=False)
    document = subject_access_document(actor=actor, person=person)
    audit_record(
        actor=actor,
        operation=Operation.DISCLOSURE,
        event_type="dataprotection.subject_access_export",
        object_type="person",
        object_ids=[person.pk],
        reason="Subject access request: every record held and every disclosure, released to the data subject",
    )
    return document


def episode_for_correction(*, actor: User, pk: int) -> Episode:
    """An episode of the actor's force, for marking reported in error (CORRECT_RECORDS)."""
    force_id = _force_id(actor, Capability.CORRECT_RECORDS)
    episode = Episode.objects.filter(force_id=force_id, pk=pk).select_related("person", "district").first()
    if episode is None:
        raise Http404("No such episode")
    audit_consultation(actor=actor, event_type="episode.viewed", object_type="episode", object_ids=[pk])
    return episode
