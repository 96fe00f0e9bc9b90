"""Writes to the family contact log. Append-only: every entry is a new row, and a correction is a new
entry naming the one it corrects (which stays as it was)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.errors import InvalidInput, NotAllowed
from homeward.families.models import ContactDirection, ContactMethod, FamilyContact, SupportService
from homeward.families.selectors import may_log_family_contact

if TYPE_CHECKING:
    from homeward.episodes.models import Episode
    from homeward.identity.models import User

TEXT_LIMIT = 5000
# Times a few minutes ahead are clock drift between devices, not the future.
CLOCK_SLACK = dt.timedelta(minutes=5)


@dataclass
class ContactData:
    contacted_at: dt.datetime
    contact_name: str
    relationship: str
    method: str
    direction: str
    summary: str
    signposted: bool = False
    signposted_to: list[str] = field(default_factory=list)
    signposted_other: str = ""
    signposted_at: dt.datetime | None = None


def _validate(data: ContactData, now: dt.datetime) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.contacted_at > now + CLOCK_SLACK:
        errors["contacted_at"] = "The contact cannot be in the future"
    if not data.contact_name:
        errors["contact_name"] = "Enter the name of the person contacted"
    if not data.relationship:
        errors["relationship"] = "Enter their relationship to the missing person"
    if data.method not in ContactMethod.values:
        errors["method"] = "Choose how the contact was made"
    if data.direction not in ContactDirection.values:
        errors["direction"] = "Choose who made the contact"
    if not data.summary:
        errors["summary"] = "Enter a summary of the contact"
    elif len(data.summary) > TEXT_LIMIT:
        errors["summary"] = f"The summary must be {TEXT_LIMIT} characters or fewer"
    if any(s not in SupportService.values for s in data.signposted_to):
        errors["signposted_to"] = "Choose services from the list"
    elif data.signposted:
        if not data.signposted_to:
            errors["signposted_to"] = "Choose the support they were signposted to"
        elif SupportService.OTHER in data.signposted_to and not data.signposted_other:
            errors["signposted_other"] = "Name the other support service"
        if data.signposted_at is None:
            errors["signposted_at"] = "Enter when they were signposted to support"
        elif data.signposted_at > now + CLOCK_SLACK:
            errors["signposted_at"] = "The time they were signposted cannot be in the future"
        elif data.signposted_at < data.contacted_at:
            errors["signposted_at"] = "Signposting happens during or after the contact, not before it"
    else:
        # Nothing half-recorded: services or a time without "yes" is a contradiction to resolve.
        if data.signposted_to or data.signposted_other:
            errors["signposted_to"] = "Answer yes to signposting, or untick the services"
        if data.signposted_at is not None:
            errors["signposted_at"] = "Answer yes to signposting, or remove the time"
    if data.signposted_other and SupportService.OTHER not in data.signposted_to and data.signposted:
        errors["signposted_other"] = "Tick 'Other' as well, or remove this service"
    return errors


@transaction.atomic
def family_contact_log(
    *, actor: User, episode: Episode, data: ContactData, corrects: FamilyContact | None = None
) -> FamilyContact:
    """Add an entry to the episode's family contact log (or a correction of an earlier entry)."""
    if not may_log_family_contact(actor, episode):
        raise NotAllowed("You cannot log family contact for this episode")
    assert actor.organisation is not None
    data.contact_name = data.contact_name.strip()
    data.relationship = data.relationship.strip()
    data.summary = data.summary.strip()
    data.signposted_other = data.signposted_other.strip()
    data.signposted_to = list(dict.fromkeys(data.signposted_to))
    errors = _validate(data, timezone.now())
    if corrects is not None:
        if corrects.episode_id != episode.pk:
            errors["corrects"] = "The entry being corrected belongs to another episode"
        elif FamilyContact.objects.filter(corrects=corrects).exists():
            errors["corrects"] = "That entry has already been corrected: correct the newer entry instead"
    if errors:
        raise InvalidInput(errors)
    try:
        with transaction.atomic():
            contact = FamilyContact.objects.create(
                episode=episode,
                contacted_at=data.contacted_at,
                contact_name=data.contact_name,
                relationship=data.relationship,
                method=data.method,
                direction=data.direction,
                summary=data.summary,
                signposted=data.signposted,
                signposted_to=data.signposted_to if data.signposted else [],
                signposted_other=data.signposted_other if data.signposted else "",
                signposted_at=data.signposted_at if data.signposted else None,
                corrects=corrects,
                recorded_by=actor,
                organisation=actor.organisation,
            )
    except IntegrityError as exc:
        # Two people correcting the same entry at once: the first correction stands.
        raise InvalidInput(
            {"corrects": "That entry has just been corrected by someone else: correct the newer entry"}
        ) from exc
    audit_record(
        actor=actor,
        operation=Operation.COLLECTION,
        event_type="family_contact.corrected" if corrects is not None else "family_contact.logged",
        object_type="family_contact",
        object_ids=[contact.pk, *([corrects.pk] if corrects is not None else [])],
        changed_fields=["contacted_at", "contact_name", "method", "summary", "signposted"],
        reason=f"episode {episode.reference}",
    )
    return contact
