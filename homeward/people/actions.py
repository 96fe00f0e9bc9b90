"""Writes to person records. Each is one transaction with its audit event (ARCHITECTURE habit 1)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.errors import EditConflict, InvalidInput, NotAllowed
from homeward.identity.roles import Capability
from homeward.people.models import (
    MarkerType,
    Person,
    PersonAddress,
    PersonAlias,
    PersonAssociate,
    PersonContact,
    PersonMarker,
    PersonPhoto,
    PersonPlace,
    Sex,
)
from homeward.people.search import person_index

if TYPE_CHECKING:
    from homeward.identity.models import District, Organisation, User
    from homeward.places.models import Location

# Facts whose source is recorded in Person.fact_sources when they are set.
SOURCED_FACTS = (
    "date_of_birth",
    "estimated_age",
    "sex",
    "gender",
    "ethnicity",
    "officer_ethnicity",
    "height_cm",
    "build",
    "hair",
    "eyes",
    "facial_hair",
    "glasses",
    "marks",
    "first_language",
    "looked_after",
)


@dataclass
class PersonData:
    given_name: str
    family_name: str
    date_of_birth: dt.date | None = None
    estimated_age: int | None = None
    sex: str = Sex.UNKNOWN
    gender: str = ""
    ethnicity: str = "NS"
    officer_ethnicity: str = "X"
    height_cm: int | None = None
    build: str = ""
    hair: str = ""
    eyes: str = ""
    facial_hair: str = ""
    glasses: str = ""
    marks: str = ""
    first_language: str = ""
    looked_after: bool = False
    placing_authority: Organisation | None = None
    home_district: District | None = None
    aliases: list[tuple[str, str]] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)


def _validate(data: PersonData, today: dt.date) -> None:
    errors: dict[str, str] = {}
    if not data.given_name.strip():
        errors["given_name"] = "Enter the person's first name"
    if not data.family_name.strip():
        errors["family_name"] = "Enter the person's last name"
    if data.date_of_birth and data.date_of_birth > today:
        errors["date_of_birth"] = "Date of birth must be today or in the past"
    if data.date_of_birth and data.date_of_birth.year < today.year - 120:
        errors["date_of_birth"] = "Date of birth must be within the last 120 years"
    if data.estimated_age is not None and not 0 <= data.estimated_age <= 120:
        errors["estimated_age"] = "Estimated age must be between 0 and 120"
    if data.sex not in Sex.values:
        errors["sex"] = "Choose female, male or not known"
    unknown = [m for m in data.markers if m not in MarkerType.values]
    if unknown:
        errors["markers"] = f"Unknown marker: {', '.join(unknown)}"
    for name in ("given_name", "family_name"):
        if len(getattr(data, name).strip()) > 100:
            errors[name] = "Names can be at most 100 characters"
    if any(len(g.strip()) > 100 or len(f.strip()) > 100 for g, f in data.aliases):
        errors["aliases"] = "Each part of another name can be at most 100 characters"
    if data.looked_after and data.placing_authority is None:
        errors["placing_authority"] = "Choose the placing authority for a looked-after person"
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def person_create(*, actor: User, data: PersonData, supplied_by: str) -> Person:
    """Create a person record. Callers have already searched for an existing one (find before create)."""
    if not actor.can(Capability.CREATE_PERSON):
        raise NotAllowed("Your role cannot create person records")
    return _person_insert(actor=actor, data=data, supplied_by=supplied_by)


@transaction.atomic
def resident_register(
    *, actor: User, data: PersonData, supplied_by: str, location: Location, since: dt.date
) -> Person:
    """A care provider records a new resident who has no record yet, living at premises it runs.

    Callers have searched first (find before create). The person is created with the placement, so
    the provider sees her as a resident and can start her Philomena/Herbert profile.
    """
    if not actor.can(Capability.REGISTER_RESIDENT):
        raise NotAllowed("Your role cannot record new residents")
    errors: dict[str, str] = {}
    if location.provider_id is None or location.provider_id != actor.organisation_id:
        errors["location"] = "Choose premises your organisation runs"
    if since > timezone.localdate():
        errors["since"] = "The date they moved in must be today or in the past"
    try:
        _validate(data, timezone.localdate())
    except InvalidInput as exc:
        errors = {**exc.errors, **errors}
    if errors:
        raise InvalidInput(errors)
    # The force whose area the premises are in, so its call handlers find her (find before create).
    person = _person_insert(actor=actor, data=data, supplied_by=supplied_by, force=location.force)
    PersonAddress.objects.create(
        person=person,
        location=location,
        is_placement=data.placing_authority is not None,
        placing_authority=data.placing_authority,
        since=since,
        supplied_by=supplied_by.strip(),
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        operation=Operation.COLLECTION,
        event_type="person.resident_registered",
        object_type="person",
        object_ids=[person.pk],
        changed_fields=["addresses"],
    )
    return person


def _person_insert(
    *, actor: User, data: PersonData, supplied_by: str, force: Organisation | None = None
) -> Person:
    assert actor.organisation is not None
    now = timezone.now()
    today = timezone.localdate(now)
    _validate(data, today)
    sources = {
        name: {"by": supplied_by, "recorded_by": actor.pk, "at": now.isoformat()}
        for name in SOURCED_FACTS
        if getattr(data, name) not in (None, "", False, "NS", "X", Sex.UNKNOWN)
    }
    force = force or actor.organisation.force or actor.organisation
    person = Person.objects.create(
        given_name=data.given_name.strip(),
        family_name=data.family_name.strip(),
        date_of_birth=data.date_of_birth,
        estimated_age=None if data.date_of_birth else data.estimated_age,
        estimated_age_on=today if (data.estimated_age is not None and not data.date_of_birth) else None,
        sex=data.sex,
        gender=data.gender,
        ethnicity=data.ethnicity,
        officer_ethnicity=data.officer_ethnicity,
        height_cm=data.height_cm,
        build=data.build,
        hair=data.hair,
        eyes=data.eyes,
        facial_hair=data.facial_hair,
        glasses=data.glasses,
        marks=data.marks,
        first_language=data.first_language,
        looked_after=data.looked_after,
        placing_authority=data.placing_authority,
        home_district=data.home_district,
        owner=actor.organisation,
        force=force,
        fact_sources=sources,
        created_at=now,
        updated_at=now,
    )
    for given, family in data.aliases:
        if given.strip() or family.strip():
            PersonAlias.objects.create(
                person=person,
                given_name=given.strip(),
                family_name=family.strip(),
                supplied_by=supplied_by,
                recorded_by=actor,
                recorded_at=now,
            )
    for marker in dict.fromkeys(data.markers):
        PersonMarker.objects.create(
            person=person, marker=marker, supplied_by=supplied_by, recorded_by=actor, recorded_at=now
        )
    person_index(person)
    audit_record(
        actor=actor,
        operation=Operation.COLLECTION,
        event_type="person.created",
        object_type="person",
        object_ids=[person.pk],
        changed_fields=["given_name", "family_name", *sources.keys()],
    )
    return person


@transaction.atomic
def person_marker_add(
    *, actor: User, person: Person, marker: str, detail: str, supplied_by: str
) -> PersonMarker:
    if not actor.can(Capability.INVESTIGATE) and not actor.can(Capability.ASSESS_RISK):
        raise NotAllowed("Your role cannot add markers")
    if marker not in MarkerType.values:
        raise InvalidInput({"marker": "Choose a marker from the list"})
    if len(detail) > 300:
        raise InvalidInput({"detail": "The detail can be at most 300 characters"})
    existing = PersonMarker.objects.filter(person=person, marker=marker).first()
    if existing is not None and existing.active:
        # The first report of a marker keeps its provenance; a second source is not a silent overwrite.
        raise InvalidInput(
            {
                "marker": f"{existing.get_marker_display()} is already on the record "
                f"(supplied by {existing.supplied_by or 'an unrecorded source'}, {existing.recorded_at:%d %b %Y})"
            }
        )
    now = timezone.now()
    if existing is None:
        obj = PersonMarker.objects.create(
            person=person,
            marker=marker,
            detail=detail,
            supplied_by=supplied_by,
            recorded_by=actor,
            recorded_at=now,
        )
    else:
        # A marker that had been withdrawn is recorded again, from its new source.
        obj = existing
        obj.detail, obj.active, obj.supplied_by, obj.recorded_by, obj.recorded_at = (
            detail,
            True,
            supplied_by,
            actor,
            now,
        )
        obj.save()
    audit_record(
        actor=actor,
        operation=Operation.ALTERATION,
        event_type="person.marker_added",
        object_type="person",
        object_ids=[person.pk],
        changed_fields=["markers"],
    )
    return obj


# Photos are checked by their first bytes, not by the name or the browser's claim.
_IMAGE_SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def _sniff_image(head: bytes) -> str | None:
    for signature, content_type in _IMAGE_SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    return None


@transaction.atomic
def person_photo_add(
    *,
    actor: User,
    person: Person,
    upload: UploadedFile,
    taken_on: dt.date,
    supplied_by: str,
    caption: str = "",
) -> PersonPhoto:
    if not (actor.can(Capability.INVESTIGATE) or actor.can(Capability.CREATE_PERSON)):
        raise NotAllowed("Your role cannot add photos")
    errors: dict[str, str] = {}
    if upload.size is None or upload.size > settings.HOMEWARD_PHOTO_MAX_BYTES:
        errors["image"] = (
            f"The photo must be smaller than {settings.HOMEWARD_PHOTO_MAX_BYTES // (1024 * 1024)} MB"
        )
    content_type = _sniff_image(upload.read(16))
    upload.seek(0)
    if content_type is None:
        errors["image"] = "The photo must be a JPEG or PNG image"
    if taken_on > timezone.localdate():
        errors["taken_on"] = "The date taken must be today or in the past"
    if errors:
        raise InvalidInput(errors)
    assert content_type is not None
    # A random stored name: the uploader's file name can carry personal data or path tricks.
    upload.name = f"{uuid.uuid4().hex}.{'jpg' if content_type == 'image/jpeg' else 'png'}"
    photo = PersonPhoto.objects.create(
        person=person,
        image=upload,
        content_type=content_type,
        taken_on=taken_on,
        caption=caption.strip()[:200],
        supplied_by=supplied_by,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        operation=Operation.COLLECTION,
        event_type="person.photo_added",
        object_type="person",
        object_ids=[person.pk],
        changed_fields=["photos"],
    )
    return photo


FACT_KINDS = ("alias", "associate", "place", "marker", "contact")


@transaction.atomic
def person_fact_add(
    *, actor: User, person: Person, kind: str, values: dict[str, str], supplied_by: str
) -> None:
    """Add one fact (alias, associate, place frequented, marker, contact) with who supplied it."""
    if not (actor.can(Capability.INVESTIGATE) or actor.can(Capability.CREATE_PERSON)):
        raise NotAllowed("Your role cannot add to person records")
    if not supplied_by.strip():
        raise InvalidInput({"supplied_by": "Enter who supplied this information"})
    now = timezone.now()
    common = {"person": person, "supplied_by": supplied_by.strip(), "recorded_by": actor, "recorded_at": now}
    if kind == "marker":
        person_marker_add(
            actor=actor,
            person=person,
            marker=values.get("marker", ""),
            detail=values.get("detail", ""),
            supplied_by=supplied_by,
        )
        return
    first = values.get("value", "").strip()
    detail = values.get("detail", "").strip()
    if not first:
        raise InvalidInput({"value": "Enter the detail to add"})
    # The longest each kind of fact may be, so nothing is cut short or refused by the database.
    limits = {"alias": 100, "associate": 200, "place": 300, "contact": 200}
    # For an alias the limit applies to the first name and to the rest, the two columns it fills.
    pieces = [first.split()[0], " ".join(first.split()[1:])] if kind == "alias" else [first]
    if kind in limits and any(len(piece) > limits[kind] for piece in pieces):
        raise InvalidInput({"value": f"This can be at most {limits[kind]} characters"})
    if kind == "associate" and len(detail) > 100:
        raise InvalidInput({"detail": "The relationship can be at most 100 characters"})
    if kind == "alias":
        parts = first.split()
        PersonAlias.objects.create(
            given_name=parts[0], family_name=" ".join(parts[1:]), is_nickname=len(parts) == 1, **common
        )
        person_index(person)
    elif kind == "associate":
        PersonAssociate.objects.create(
            name=first, relationship=values.get("detail", "").strip()[:100], **common
        )
    elif kind == "place":
        PersonPlace.objects.create(description=first, **common)
    elif kind == "contact":
        PersonContact.objects.create(
            kind=values.get("detail", "").strip()[:30] or "phone", value=first, **common
        )
    else:
        raise InvalidInput({"kind": "Choose what to add"})
    audit_record(
        actor=actor,
        operation=Operation.ALTERATION,
        event_type=f"person.{kind}_added",
        object_type="person",
        object_ids=[person.pk],
        changed_fields=[kind],
    )


# Fields a person update may change; names and dates re-index the search keys.
UPDATABLE_FACTS = ("given_name", "family_name", *SOURCED_FACTS, "placing_authority")
_INDEXED = {"given_name", "family_name", "date_of_birth", "estimated_age"}


@transaction.atomic
def person_update(
    *, actor: User, person: Person, expected_version: int, changes: dict[str, Any], supplied_by: str
) -> Person:
    """Correct or add to a person's details. Each changed fact records its new source and time.

    Version-checked like episodes: a save over someone else's newer edit is refused with what changed.
    """
    if not (actor.can(Capability.INVESTIGATE) or actor.can(Capability.CREATE_PERSON)):
        raise NotAllowed("Your role cannot change person records")
    unknown = set(changes) - set(UPDATABLE_FACTS)
    if unknown:
        raise InvalidInput(dict.fromkeys(sorted(unknown), "This cannot be changed here"))
    changed = {k: v for k, v in changes.items() if getattr(person, k) != v}
    if not changed:
        return person
    if not supplied_by.strip():
        raise InvalidInput({"supplied_by": "Enter who supplied the new details"})
    merged = PersonData(
        given_name=changes.get("given_name", person.given_name),
        family_name=changes.get("family_name", person.family_name),
        date_of_birth=changes.get("date_of_birth", person.date_of_birth),
        estimated_age=changes.get("estimated_age", person.estimated_age),
        sex=changes.get("sex", person.sex),
        looked_after=changes.get("looked_after", person.looked_after),
        placing_authority=changes.get("placing_authority", person.placing_authority),
    )
    _validate(merged, timezone.localdate())
    now = timezone.now()
    sources = dict(person.fact_sources)
    for name in changed:
        sources[name] = {"by": supplied_by.strip(), "recorded_by": actor.pk, "at": now.isoformat()}
    fields = dict(changed)
    if "estimated_age" in changed:
        fields["estimated_age_on"] = timezone.localdate() if changed["estimated_age"] is not None else None
    updated = Person.objects.filter(pk=person.pk, version=expected_version).update(
        **fields, fact_sources=sources, version=F("version") + 1, updated_at=now
    )
    if not updated:
        person.refresh_from_db()
        # People have no per-version history, so show the most recent changes to the record.
        recent = sorted(person.fact_sources.items(), key=lambda item: item[1].get("at", ""), reverse=True)[:5]
        newer = [
            {
                "summary": f"{name.replace('_', ' ').capitalize()}, supplied by {src.get('by') or 'unknown'}",
                "by": "",
                "at": dt.datetime.fromisoformat(src["at"]) if src.get("at") else None,
            }
            for name, src in recent
        ]
        raise EditConflict(
            "Someone else changed this record after you opened it; nothing was saved. Check it, then submit again.",
            current_version=person.version,
            changes=newer,
        )
    person.refresh_from_db()
    if _INDEXED & set(changed):
        person_index(person)
    audit_record(
        actor=actor,
        operation=Operation.ALTERATION,
        event_type="person.updated",
        object_type="person",
        object_ids=[person.pk],
        changed_fields=list(changed),
    )
    return person


@transaction.atomic
def person_address_add(
    *,
    actor: User,
    person: Person,
    since: dt.date,
    supplied_by: str,
    location: Location | None = None,
    address: str = "",
    is_placement: bool = False,
    placing_authority: Organisation | None = None,
) -> PersonAddress:
    """A new address or placement; the current one (if any) ends the day the new one starts."""
    if not (actor.can(Capability.INVESTIGATE) or actor.can(Capability.CREATE_PERSON)):
        raise NotAllowed("Your role cannot change person records")
    errors: dict[str, str] = {}
    if location is None and not address.strip():
        errors["address"] = "Choose a known place or enter the address"
    if len(address) > 300:
        errors["address"] = "The address can be at most 300 characters"
    if since > timezone.localdate():
        errors["since"] = "The start date must be today or in the past"
    if is_placement and placing_authority is None:
        errors["placing_authority"] = "Choose the placing authority for a placement"
    if not supplied_by.strip():
        errors["supplied_by"] = "Enter who supplied this information"
    current = PersonAddress.objects.filter(person=person, until=None).first()
    if current is not None and since < current.since:
        errors["since"] = (
            f"The start date must be on or after the current address's ({current.since:%d %b %Y})"
        )
    if errors:
        raise InvalidInput(errors)
    if current is not None:
        current.until = since
        current.save(update_fields=["until"])
    record = PersonAddress.objects.create(
        person=person,
        location=location,
        address=address.strip(),
        is_placement=is_placement,
        placing_authority=placing_authority if is_placement else None,
        since=since,
        supplied_by=supplied_by.strip(),
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        operation=Operation.ALTERATION,
        event_type="person.address_added",
        object_type="person",
        object_ids=[person.pk],
        changed_fields=["addresses"],
    )
    # A Philomena/Herbert profile moves with the person: to the new placement's provider, the placing
    # authority of a foster placement, or the family at home.
    from homeward.protocols.actions import profile_follow_placement

    profile_follow_placement(
        actor=actor,
        person=person,
        location=location,
        is_placement=is_placement,
        placing_authority=placing_authority if is_placement else None,
    )
    return record
