"""Writes to person records. Each is one transaction with its audit event (ARCHITECTURE habit 1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.errors import DomainError, EditConflict, InvalidInput, NotAllowed
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
    PersonSearchKey,
    Sex,
)
from homeward.people.search import person_index
from homeward.security.uploads import image_upload_checked, image_upload_problem

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


def _refuse_if_merged(person: Person) -> None:
    """A merged record is a tombstone: nothing is added to it; the user is sent to the kept record.

    Read with a row lock (PostgreSQL) in the caller's transaction, so a change racing a merge of this
    record waits for it and then sees it merged, instead of adding a row to the tombstone.
    """
    merged_into = (
        Person.objects.select_for_update().filter(pk=person.pk).values_list("merged_into", flat=True).first()
    )
    if merged_into is not None:
        raise DomainError(f"This record was merged into record {merged_into}: make the change there instead.")


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
    _refuse_if_merged(person)
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
    _refuse_if_merged(person)
    errors: dict[str, str] = {}
    # Size, extension, real type and structure (homeward/security/uploads.py, baseline DEP-4).
    problem = image_upload_problem(upload)
    if problem:
        errors["image"] = problem
    if taken_on > timezone.localdate():
        errors["taken_on"] = "The date taken must be today or in the past"
    if errors:
        raise InvalidInput(errors)
    checked = image_upload_checked(upload)
    # A random stored name: the uploader's file name can carry personal data or path tricks.
    upload.name = checked.stored_name
    photo = PersonPhoto.objects.create(
        person=person,
        image=upload,
        content_type=checked.content_type,
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
    _refuse_if_merged(person)
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
    _refuse_if_merged(person)
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
    _refuse_if_merged(person)
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


# --- Merging two records of the same person ----------------------------------------------------------

# Rows whose unique constraint cannot hold two rows for one person once both records' rows are one
# person's: what to tell the user. Other models' clashes get a message built from their verbose name.
_CLASH_MESSAGES = {
    "episodes.episode": "Both records have an open missing episode. Close one of them before merging.",
    "protocols.protocolprofile": (
        "Both records have an active Philomena/Herbert profile. Close one of them before merging."
    ),
    "prevention.plan": (
        "Both records have an open prevention plan of the same kind. Close one of them before merging."
    ),
    "prevention.earlyhelpreferral": (
        "Both records have an open early-help referral. Close one of them before merging."
    ),
}
# Fact fields a merge fills on the kept record when it has none, and the values that count as none.
_MERGE_FILLS = (*SOURCED_FACTS, "placing_authority", "home_district")
_BLANK_TEXT = ("", "NS", "X", Sex.UNKNOWN)


def _is_blank(value: object) -> bool:
    # By identity for None/False: an estimated age of 0 is a fact, not a blank (0 == False in Python).
    return value is None or value is False or (isinstance(value, str) and value in _BLANK_TEXT)


@dataclass
class MergeResult:
    keep: Person
    duplicate: Person
    moved: dict[str, int]  # "app_label.model" -> rows now pointing at the kept record
    filled: list[str]  # facts copied from the duplicate into blanks of the kept record


def _person_relations() -> list[Any]:
    """Every foreign key (and one-to-one) pointing at Person, found by introspection so that a table
    added later is moved too without anyone remembering to list it here."""
    return [
        rel
        for rel in Person._meta.related_objects
        if (rel.one_to_many or rel.one_to_one) and not rel.many_to_many
    ]


def _unique_sets(model: Any, field_name: str) -> list[tuple[list[str], Any]]:
    """The unique rules on `model` that include `field_name`: (the other fields, the condition or None)."""
    from django.db.models import UniqueConstraint

    rules: list[tuple[list[str], Any]] = []
    field_obj = model._meta.get_field(field_name)
    if field_obj.unique:
        rules.append(([], None))
    for constraint in model._meta.constraints:
        if isinstance(constraint, UniqueConstraint) and field_name in constraint.fields:
            rules.append(([f for f in constraint.fields if f != field_name], constraint.condition))
    for together in model._meta.unique_together:
        if field_name in together:
            rules.append(([f for f in together if f != field_name], None))
    return rules


def _clashes(rel: Any, keep: Person, duplicate: Person) -> bool:
    """Would pointing the duplicate's rows at the kept record break one of the model's unique rules?"""
    model, name = rel.related_model, rel.field.name
    for others, condition in _unique_sets(model, name):

        def values(
            person: Person, others: list[str] = others, condition: Any = condition
        ) -> set[tuple[Any, ...]]:
            rows = model._default_manager.filter(**{name: person})
            if condition is not None:
                rows = rows.filter(condition)
            if not others:
                return {()} if rows.exists() else set()
            # NULLs never clash in a unique constraint.
            return {v for v in rows.values_list(*others) if None not in v}

        if values(keep) & values(duplicate):
            return True
    return False


def merge_refusal(*, actor: User, keep: Person, duplicate: Person) -> str | None:
    """Why `duplicate` cannot be merged into `keep` now, or None. Reads only: the merge page asks it
    before showing the confirmation, and the action asks it again once both rows are claimed."""
    if keep.pk == duplicate.pk:
        return "That is this record. Enter the reference of the other record of the same person."
    for person in (keep, duplicate):
        if person.merged_into_id is not None:
            return f"Record {person.pk} has already been merged into record {person.merged_into_id}."
    if keep.force_id != duplicate.force_id:
        return "The two records belong to different forces, so they cannot be merged here."
    org = actor.organisation
    actor_force = None if org is None else (org.force_id or org.pk)
    if org is None or not org.is_police or actor_force != keep.force_id:
        return "Your organisation may not change both records, so it cannot merge them."
    for rel in _person_relations():
        if rel.related_model in (PersonMarker, PersonSearchKey):
            continue  # merged below: markers kept once, search keys rebuilt
        if _clashes(rel, keep, duplicate):
            meta = rel.related_model._meta
            return _CLASH_MESSAGES.get(
                meta.label_lower,
                f"Both records have {meta.verbose_name_plural} that only one record may hold at a time. "
                "Close one of them before merging.",
            )
    return None


@transaction.atomic
def merge_person_records(
    *,
    actor: User,
    keep: Person,
    duplicate: Person,
    reason: str,
    expected_keep_version: int,
    expected_duplicate_version: int,
) -> MergeResult:
    """Merge `duplicate` into `keep`: two records of one person become one (docs/definitions.md).

    Every row pointing at the duplicate (episodes, interviews, profiles, plans, referrals, aliases,
    markers, addresses, photos…, and earlier tombstones merged into it) is pointed at the kept record.
    The kept record's facts stand; its blanks are filled from the duplicate, with the source recorded.
    The duplicate stays as a tombstone naming the kept record. Episode snapshots (age at report, child
    or adult) are history and are not recomputed. Refusals write nothing.
    """
    if not actor.can(Capability.MERGE_PEOPLE):
        raise NotAllowed("Your role cannot merge person records")
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Enter why these are the same person"
    elif len(reason.strip()) > 500:
        errors["reason"] = "The reason can be at most 500 characters"
    refusal = merge_refusal(actor=actor, keep=keep, duplicate=duplicate)
    if refusal:
        errors["other_record"] = refusal
    if errors:
        raise InvalidInput(errors)

    now = timezone.now()
    # Both rows are claimed first, version-checked: a concurrent edit or merge of either refuses this
    # one, and on PostgreSQL the row locks make a concurrent report against the duplicate wait and see
    # it merged (episodes.actions.episode_report).
    # Lower id first, so two merges of the same pair in opposite directions cannot deadlock.
    claims = sorted(
        ((keep, expected_keep_version), (duplicate, expected_duplicate_version)), key=lambda c: c[0].pk
    )
    for person, expected in claims:
        claimed = Person.objects.filter(pk=person.pk, version=expected, merged_into=None).update(
            version=F("version") + 1, updated_at=now
        )
        if not claimed:
            person.refresh_from_db()
            raise EditConflict(
                f"Someone else changed record {person.pk} ({person.full_name}) after you opened it; "
                "nothing was merged. Check both records, then confirm again.",
                current_version=person.version,
                changes=[],
            )
    keep.refresh_from_db()
    duplicate.refresh_from_db()

    # Checked again on the claimed rows: an episode may have been opened on either since the page.
    refusal = merge_refusal(actor=actor, keep=keep, duplicate=duplicate)
    if refusal:
        raise InvalidInput({"other_record": refusal})

    # Markers: once per person. The kept record's row stays; it is active if either was, and when only
    # the duplicate's was active, that row's detail and provenance are the ones kept.
    keep_markers = {m.marker: m for m in PersonMarker.objects.filter(person=keep)}
    for marker in PersonMarker.objects.filter(person=duplicate):
        kept = keep_markers.get(marker.marker)
        if kept is None:
            continue
        if marker.active and not kept.active:
            kept.active, kept.detail = True, marker.detail
            kept.supplied_by, kept.recorded_by_id, kept.recorded_at = (
                marker.supplied_by,
                marker.recorded_by_id,
                marker.recorded_at,
            )
            kept.save()
        marker.delete()
    # Search keys are rebuilt for the kept record below; the duplicate's would only find a tombstone.
    PersonSearchKey.objects.filter(person=duplicate).delete()

    moved: dict[str, int] = {}
    for rel in _person_relations():
        count = rel.related_model._default_manager.filter(**{rel.field.name: duplicate}).update(
            **{rel.field.name: keep}
        )
        if count:
            moved[rel.related_model._meta.label_lower] = count

    # The duplicate's name is another name the person is known by.
    names = {(keep.given_name.casefold(), keep.family_name.casefold())} | {
        (g.casefold(), f.casefold())
        for g, f in PersonAlias.objects.filter(person=keep).values_list("given_name", "family_name")
    }
    if (duplicate.given_name.casefold(), duplicate.family_name.casefold()) not in names:
        PersonAlias.objects.create(
            person=keep,
            given_name=duplicate.given_name,
            family_name=duplicate.family_name,
            supplied_by=f"Merged from record {duplicate.pk}",
            recorded_by=actor,
            recorded_at=now,
        )
        moved["people.personalias"] = moved.get("people.personalias", 0) + 1

    # Facts: the kept record's stand; its blanks are filled from the duplicate, source and all.
    sources = dict(keep.fact_sources)
    fills: dict[str, Any] = {}
    for name in _MERGE_FILLS:
        ours, theirs = getattr(keep, name), getattr(duplicate, name)
        if name == "estimated_age" and (keep.date_of_birth or "date_of_birth" in fills):
            continue  # an estimate is only kept when the date of birth is not known
        if _is_blank(ours) and not _is_blank(theirs):
            fills[name] = theirs
            original = duplicate.fact_sources.get(name, {})
            sources[name] = {
                "by": original.get("by") or f"record {duplicate.pk}",
                "recorded_by": actor.pk,
                "at": now.isoformat(),
                "merged_from": duplicate.pk,
                "originally_at": original.get("at"),
            }
    if "estimated_age" in fills:
        fills["estimated_age_on"] = duplicate.estimated_age_on
    Person.objects.filter(pk=keep.pk).update(**fills, fact_sources=sources)
    Person.objects.filter(pk=duplicate.pk).update(merged_into=keep, merged_at=now, merged_by=actor)
    keep.refresh_from_db()
    duplicate.refresh_from_db()
    person_index(keep)

    audit_record(
        actor=actor,
        operation=Operation.COMBINATION,
        event_type="person.merged",
        object_type="person",
        object_ids=[keep.pk, duplicate.pk],
        changed_fields=sorted({*moved, *fills, "merged_into"}),
        reason=reason.strip(),
    )
    return MergeResult(keep=keep, duplicate=duplicate, moved=moved, filled=sorted(fills))
