"""Writes for data protection: correction of a record reported in error, retention decisions, erasure.

Each is one transaction with its audit event. Erasure's event names the records and the field names it
cleared, never a value it cleared (AUD-5).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction
from django.db.models import Model
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.dataprotection.models import Decision, EraseReason, RetentionReview
from homeward.dataprotection.records import rows_about
from homeward.episodes.models import OPEN_STATUSES, Episode, EpisodeEvent, Status
from homeward.errors import EditConflict, IllegalTransition, InvalidInput, NotAllowed
from homeward.identity.models import User
from homeward.identity.roles import Capability
from homeward.people.models import (
    Person,
    PersonAddress,
    PersonAlias,
    PersonAssociate,
    PersonContact,
    PersonMarker,
    PersonPhoto,
    PersonPlace,
    PersonSearchKey,
)
from homeward.places.models import Location, LocationCategory
from homeward.versioning import update_if_unchanged

MIN_REASON = 10


def _require(actor: User, capability: str, what: str) -> None:
    if not actor.can(capability):
        raise NotAllowed(f"Your role cannot {what}")


def _same_force(actor: User, force_id: int) -> None:
    org = actor.organisation
    if org is None or not org.is_police or org.force_id != force_id:
        raise NotAllowed("This record belongs to another force")


# --- Correction -----------------------------------------------------------------------------------------


@transaction.atomic
def episode_mark_reported_in_error(
    *, actor: User, episode: Episode, expected_version: int, reason: str
) -> Episode:
    """Mark an episode as reported in error (recorded against the wrong person, or a report that should not
    have been made). It stays, with who marked it and why, for the audit trail and the person's own
    history; reports and measures stop counting it (insights.base.recorded_episodes). An open episode is
    closed at the same time, so the person can be reported again if they really are missing."""
    _require(actor, Capability.CORRECT_RECORDS, "mark episodes as reported in error")
    _same_force(actor, episode.force_id)
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise InvalidInput(
            {"reason": f"Say why the report was made in error (at least {MIN_REASON} characters)"}
        )
    if episode.reported_in_error_at is not None:
        raise IllegalTransition("This episode is already marked as reported in error.")
    now = timezone.now()
    fields: dict[str, Any] = {
        "reported_in_error_at": now,
        "reported_in_error_by": actor,
        "reported_in_error_reason": reason,
        "updated_at": now,
    }
    if episode.status in OPEN_STATUSES:
        fields.update(status=Status.CLOSED, closed_at=now, closed_by=actor)
    current = update_if_unchanged(Episode, pk=episode.pk, expected_version=expected_version, **fields)
    if current is not None:
        raise EditConflict(
            "Someone else changed this episode after you opened it. Nothing has been saved: check it, then "
            "mark it again.",
            current_version=current,
            changes=[],
        )
    EpisodeEvent.objects.create(
        episode=episode,
        version=expected_version + 1,
        kind="reported_in_error",
        summary=f"Marked as reported in error: {reason}"[:500],
        actor=actor,
        at=now,
    )
    audit_record(
        actor=actor,
        operation=Operation.ALTERATION,
        event_type="episode.reported_in_error",
        object_type="episode",
        object_ids=[episode.pk],
        changed_fields=[f for f in fields if f != "updated_at"],
        reason=reason,
    )
    episode.refresh_from_db()
    return episode


# --- Retention review -----------------------------------------------------------------------------------


@transaction.atomic
def retention_retain(*, actor: User, person: Person, reason: str, next_review_on: dt.date) -> RetentionReview:
    """Keep the record past its review date, for a stated reason, until `next_review_on`."""
    _require(actor, Capability.MANAGE_DATA_PROTECTION, "decide retention reviews")
    _same_force(actor, person.force_id)
    if person.is_erased:
        raise IllegalTransition("This record has been erased.")
    errors = {}
    if len(reason.strip()) < MIN_REASON:
        errors["reason"] = f"Say why the record is still needed (at least {MIN_REASON} characters)"
    today = timezone.localdate()
    if next_review_on <= today or next_review_on > today.replace(year=today.year + 10):
        errors["next_review_on"] = "The next review must be after today and within 10 years"
    if errors:
        raise InvalidInput(errors)
    review = RetentionReview.objects.create(
        person=person,
        decision=Decision.RETAIN,
        reason=reason.strip(),
        next_review_on=next_review_on,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        operation=Operation.ALTERATION,
        event_type="person.retention_retained",
        object_type="person",
        object_ids=[person.pk],
        changed_fields=["retention_review"],
        reason=reason,
    )
    return review


# --- Erasure --------------------------------------------------------------------------------------------

TOMBSTONE_GIVEN_NAME = "[erased]"

# Person fields kept on the tombstone: the categories statistics and disproportionality measures count.
PERSON_KEPT = {
    "id",
    "sex",
    "ethnicity",
    "officer_ethnicity",
    "looked_after",
    "placing_authority",
    "home_district",
    "owner",
    "force",
    "version",
    "created_at",
    "updated_at",
    "merged_into",
    "merged_at",
    "merged_by",
    "erased_at",
}

# Rows of the person's own facts that hold nothing statistics need: deleted outright.
PERSON_FACT_TABLES: tuple[type[Model], ...] = (
    PersonAlias,
    PersonPhoto,
    PersonAssociate,
    PersonPlace,
    PersonContact,
    PersonAddress,
    PersonSearchKey,
)

# Short text columns that hold codes, not content: kept on every other row (choice fields are kept too).
CODE_FIELDS = {
    "reference",
    "status",
    "kind",
    "level",
    "risk_level",
    "risk_level_first",
    "risk_level_highest",
    "missing_from_category",
    "found_location_category",
    "clock",
    "role",
    "outcome",
    "marker",
    "content_type",
    "decision",
    "erase_reason",
    "channel",
    "basis",
}

_TEXT = (models.CharField, models.TextField)


def _scrub(obj: Model) -> list[str]:
    """Clear every free-text, JSON and file field of `obj` that is not a code, and unlink private homes.
    Returns the names of the fields cleared."""
    cleared = []
    for field in obj._meta.concrete_fields:
        name = field.attname
        value = getattr(obj, name)
        if isinstance(field, models.FileField):
            if value:
                value.delete(save=False)
                setattr(obj, name, "")
                cleared.append(name)
        elif isinstance(field, models.JSONField):
            if value:
                setattr(obj, name, type(value)() if isinstance(value, dict | list) else None)
                cleared.append(name)
        elif isinstance(field, _TEXT):
            if value and not field.choices and not field.unique and field.name not in CODE_FIELDS:
                setattr(obj, name, "")
                cleared.append(name)
        elif (
            isinstance(field, models.ForeignKey)
            and field.related_model is Location
            and field.null
            and value is not None
            and Location.objects.filter(pk=value, category=LocationCategory.PRIVATE_HOME).exists()
        ):
            # A private home is an address: the tombstone must not point at it.
            setattr(obj, name, None)
            cleared.append(name)
    return cleared


def _tombstone(person: Person, now: dt.datetime) -> list[str]:
    cleared = []
    for field in person._meta.concrete_fields:
        if field.name in PERSON_KEPT:
            continue
        default: Any = field.get_default() if field.has_default() else None
        if isinstance(field, _TEXT) and not field.null:
            default = ""
        if getattr(person, field.attname) != default:
            setattr(person, field.attname, default)
            cleared.append(field.name)
    person.given_name = TOMBSTONE_GIVEN_NAME
    person.family_name = ""
    person.erased_at = now
    person.updated_at = now
    person.version += 1
    return cleared


@transaction.atomic
def person_erase(*, actor: User, person: Person, erase_reason: str) -> Person:
    """Erase a person's record, leaving a tombstone (docs/data-protection.md):

    - the Person row stays, flagged erased, with only sex, ethnicity, looked-after status, placing
      authority, home district and the owning organisation (what statistics count); names, date of birth,
      description and provenance are gone;
    - aliases, photos (files too), associates, places, contacts, addresses and search keys are deleted;
      markers keep only their code;
    - every other row about them (episodes and all that hangs off them, in every app) keeps its dates,
      codes, links and flags, and loses every free-text, JSON and file field and any link to a private home;
    - one erasure audit event names the records and the field names cleared, never a value.

    The view requires step-up re-authentication first (P9). Refused while an episode is open.
    """
    _require(actor, Capability.MANAGE_DATA_PROTECTION, "erase records")
    _same_force(actor, person.force_id)
    if erase_reason not in EraseReason.values:
        raise InvalidInput({"erase_reason": "Choose why the record is erased"})
    person = Person.objects.get(pk=person.pk)
    if person.is_erased:
        raise IllegalTransition("This record has already been erased.")
    if person.is_merged:
        raise IllegalTransition("This record was merged into another: erase that one.")
    rows = rows_about(person)
    people = [r for r in rows if isinstance(r, Person)]
    if Episode.objects.filter(person__in=people, status__in=OPEN_STATUSES).exists():
        raise IllegalTransition("The person has an open episode: close it before erasing the record.")
    now = timezone.now()
    changed: set[str] = set()
    for subject in people:
        changed |= {f"person.{f}" for f in _tombstone(subject, now)}
        subject.save()
        for model in PERSON_FACT_TABLES:
            deleted = model._default_manager.filter(person=subject)
            for photo in deleted if model is PersonPhoto else ():
                photo.image.delete(save=False)  # type: ignore[attr-defined]
            if deleted.delete()[0]:
                changed.add(f"{model._meta.model_name}.*")
        if PersonMarker.objects.filter(person=subject).update(detail="", supplied_by=""):
            changed |= {"personmarker.detail", "personmarker.supplied_by"}
    fact_labels = {m._meta.label_lower for m in PERSON_FACT_TABLES} | {"people.person", "people.personmarker"}
    for obj in rows:
        if obj._meta.label_lower in fact_labels:
            continue
        cleared = _scrub(obj)
        if cleared:
            type(obj)._base_manager.filter(pk=obj.pk).update(**{name: getattr(obj, name) for name in cleared})
            changed |= {f"{obj._meta.model_name}.{name}" for name in cleared}
    RetentionReview.objects.create(
        person=person, decision=Decision.ERASE, erase_reason=erase_reason, decided_by=actor, decided_at=now
    )
    audit_record(
        actor=actor,
        operation=Operation.ERASURE,
        event_type="person.erased",
        object_type="person",
        object_ids=[p.pk for p in people],
        changed_fields=changed,
        reason=f"erase_reason={erase_reason}",
    )
    person.refresh_from_db()
    return person
