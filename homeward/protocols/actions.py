"""Every write to protocol profiles: keyword-only, actor required, one transaction with its audit event.

Concurrency follows episodes: changes to the profile itself say which version the user saw and update
with `WHERE version = n`; if someone else saved first nothing is written and EditConflict lists what
changed meanwhile. Adding a photo or a part 2 overwrites nothing on the profile, so it does not move the
version (a keeper mid-edit is not told to start again because a colleague added a photo).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.errors import EditConflict, IllegalTransition, InvalidInput, NotAllowed
from homeward.identity.roles import Capability
from homeward.people.models import PersonPhoto
from homeward.places.models import LocationCategory
from homeward.protocols.models import (
    OPEN_REPORT_STATUSES,
    PART1_FIELDS,
    ProfileEvent,
    ProfileMissingReport,
    ProtocolProfile,
    ReportStatus,
    Scheme,
    part1_label,
)
from homeward.protocols.selectors import (
    HOLDER_KINDS,
    is_keeper,
    keeps,
    may_transfer,
    people_for_new_profile,
    report_visibility,
)
from homeward.security.uploads import image_upload_checked, image_upload_problem
from homeward.versioning import update_if_unchanged

if TYPE_CHECKING:
    from homeward.episodes.models import Episode
    from homeward.identity.models import Organisation, User
    from homeward.people.models import Person
    from homeward.places.models import Location

# Long enough for a full section of the national forms; bounded so nothing is refused by the database
# or cut short silently.
TEXT_LIMIT = 4000
SHORT_LIMITS = {
    "last_seen_place": 300,
    "last_seen_with": 300,
    "reporter_name": 200,
    "reporter_relationship": 100,
    "reporter_phone": 40,
}
EDITABLE_FIELDS = ("scheme", *PART1_FIELDS)


def _audit(
    actor: User | None,
    operation: str,
    event_type: str,
    object_type: str,
    object_id: int,
    fields: list[str],
    recipient: int | None = None,
    reason: str = "",
) -> None:
    audit_record(
        actor=actor,
        operation=operation,
        event_type=event_type,
        object_type=object_type,
        object_ids=[object_id],
        changed_fields=fields,
        recipient_agency_id=recipient,
        reason=reason,
    )


def _event(profile: ProtocolProfile, *, version: int, kind: str, summary: str, actor: User | None) -> None:
    ProfileEvent.objects.create(
        profile=profile, version=version, kind=kind, summary=summary[:500], actor=actor, at=timezone.now()
    )


def _changes_since(profile_id: int, version: int) -> list[dict[str, Any]]:
    events = ProfileEvent.objects.filter(profile_id=profile_id, version__gt=version).select_related("actor")
    return [
        {"summary": e.summary, "by": e.actor.display_name if e.actor else "System", "at": e.at}
        for e in events.order_by("version", "id")
    ]


def _save_state(
    profile: ProtocolProfile,
    *,
    expected_version: int,
    actor: User | None,
    kind: str,
    summary: str,
    **fields: Any,
) -> ProtocolProfile:
    """Conditionally write the profile's new state and its history row, or raise EditConflict."""
    now = timezone.now()
    current = update_if_unchanged(
        ProtocolProfile,
        pk=profile.pk,
        expected_version=expected_version,
        updated_at=now,
        updated_by=actor,
        **fields,
    )
    if current is not None:
        raise EditConflict(
            "Someone else changed this profile after you opened it. Nothing you entered has been saved yet: "
            "check what changed, then submit again.",
            current_version=current,
            changes=_changes_since(profile.pk, expected_version),
        )
    _event(profile, version=expected_version + 1, kind=kind, summary=summary, actor=actor)
    profile.refresh_from_db()
    return profile


def _require_keeper(actor: User, profile: ProtocolProfile) -> None:
    if not keeps(actor, profile):
        raise NotAllowed("Only the organisation holding this profile can change it")
    if not profile.active:
        raise IllegalTransition("This profile is closed: it can no longer be changed.")


def _validate_part1(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if "scheme" in values and values["scheme"] not in Scheme.values:
        errors["scheme"] = "Choose Philomena or Herbert"
    for name in PART1_FIELDS:
        if len(values.get(name) or "") > TEXT_LIMIT:
            errors[name] = f"This section can be at most {TEXT_LIMIT} characters"
    if errors:
        raise InvalidInput(errors)


# --- Profile (part 1) -----------------------------------------------------------------------------


@transaction.atomic
def profile_create(*, actor: User, person: Person, scheme: str, part1: dict[str, str]) -> ProtocolProfile:
    """Start a profile held by the actor's organisation, for someone it looks after."""
    if not is_keeper(actor):
        raise NotAllowed("Your role cannot keep Philomena or Herbert profiles")
    if not people_for_new_profile(actor).filter(pk=person.pk).exists():
        raise NotAllowed("You cannot start a profile for this person")
    unknown = set(part1) - set(PART1_FIELDS)
    if unknown:
        raise InvalidInput(dict.fromkeys(sorted(unknown), "This cannot be set here"))
    _validate_part1({"scheme": scheme, **part1})
    already = {
        "person": f"{person.full_name} already has a current profile. Ask whoever holds it to move it to you."
    }
    if ProtocolProfile.objects.filter(person=person, active=True).exists():
        raise InvalidInput(already)
    now = timezone.now()
    try:
        # A savepoint: losing a race to a simultaneous create leaves this transaction usable.
        with transaction.atomic():
            profile = ProtocolProfile.objects.create(
                person=person,
                scheme=scheme,
                holder=actor.organisation,
                **{name: (part1.get(name) or "").strip() for name in PART1_FIELDS},
                # Written today by someone who knows the person: it starts reviewed.
                last_reviewed_on=timezone.localdate(now),
                last_reviewed_by=actor,
                created_at=now,
                created_by=actor,
                updated_at=now,
                updated_by=actor,
            )
    except IntegrityError as exc:
        raise InvalidInput(already) from exc
    _event(
        profile, version=1, kind="created", summary=f"Profile started by {actor.organisation}", actor=actor
    )
    _audit(actor, Operation.COLLECTION, "profile.created", "protocol_profile", profile.pk, ["scheme", *part1])
    return profile


@transaction.atomic
def profile_update(
    *, actor: User, profile: ProtocolProfile, expected_version: int, changes: dict[str, Any]
) -> ProtocolProfile:
    """Change part 1. Holder, person, version and review date are not changes a form can make."""
    _require_keeper(actor, profile)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(dict.fromkeys(sorted(unknown), "This cannot be changed here"))
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items()}
    _validate_part1(cleaned)
    changed = {k: v for k, v in cleaned.items() if getattr(profile, k) != v}
    if not changed:
        return profile
    labels = [part1_label(k).lower() for k in changed]
    profile = _save_state(
        profile,
        expected_version=expected_version,
        actor=actor,
        kind="updated",
        summary=f"Changed {', '.join(labels)}",
        **changed,
    )
    _audit(actor, Operation.ALTERATION, "profile.updated", "protocol_profile", profile.pk, list(changed))
    return profile


@transaction.atomic
def profile_mark_reviewed(*, actor: User, profile: ProtocolProfile, expected_version: int) -> ProtocolProfile:
    """Confirm part 1 is current. Version-checked: the review vouches for the version the keeper read."""
    _require_keeper(actor, profile)
    today = timezone.localdate()
    profile = _save_state(
        profile,
        expected_version=expected_version,
        actor=actor,
        kind="reviewed",
        summary="Reviewed: every section checked and current",
        last_reviewed_on=today,
        last_reviewed_by=actor,
    )
    _audit(
        actor, Operation.ALTERATION, "profile.reviewed", "protocol_profile", profile.pk, ["last_reviewed_on"]
    )
    return profile


@transaction.atomic
def profile_close(
    *, actor: User, profile: ProtocolProfile, expected_version: int, reason: str
) -> ProtocolProfile:
    """No longer needed (left care, moved away with no new holder). Kept, not erased, for the history."""
    _require_keeper(actor, profile)
    if not reason.strip():
        raise InvalidInput({"reason": "Give the reason for closing the profile"})
    if len(reason.strip()) > 300:
        raise InvalidInput({"reason": "The reason can be at most 300 characters"})
    profile = _save_state(
        profile,
        expected_version=expected_version,
        actor=actor,
        kind="closed",
        summary=f"Closed: {reason.strip()}",
        active=False,
        closed_reason=reason.strip(),
    )
    _audit(actor, Operation.ALTERATION, "profile.closed", "protocol_profile", profile.pk, ["active"])
    return profile


@transaction.atomic
def profile_photo_add(
    *, actor: User, profile: ProtocolProfile, upload: UploadedFile, taken_on: dt.date, caption: str = ""
) -> PersonPhoto:
    """A recent photo from the holder: stored with the person's photos, and chosen for the profile."""
    _require_keeper(actor, profile)
    errors: dict[str, str] = {}
    # Size, extension, real type and structure (homeward/security/uploads.py, baseline DEP-4).
    problem = image_upload_problem(upload)
    if problem:
        errors["image"] = problem
    if taken_on > timezone.localdate():
        errors["taken_on"] = "The date taken must be today or in the past"
    if len(caption) > 200:
        errors["caption"] = "The caption can be at most 200 characters"
    if errors:
        raise InvalidInput(errors)
    checked = image_upload_checked(upload)
    # A random stored name: the uploader's file name can carry personal data or path tricks.
    upload.name = checked.stored_name
    now = timezone.now()
    photo = PersonPhoto.objects.create(
        person=profile.person,
        image=upload,
        content_type=checked.content_type,
        taken_on=taken_on,
        caption=caption.strip(),
        supplied_by=f"{actor.organisation} ({profile.get_scheme_display()})"[:200],
        recorded_by=actor,
        recorded_at=now,
    )
    ProtocolProfile.objects.filter(pk=profile.pk).update(photo=photo, updated_at=now, updated_by=actor)
    profile.refresh_from_db()
    _event(
        profile,
        version=profile.version,
        kind="photo",
        summary=f"Photo taken {taken_on:%d %b %Y} added",
        actor=actor,
    )
    _audit(actor, Operation.COLLECTION, "profile.photo_added", "protocol_profile", profile.pk, ["photo"])
    return photo


# --- Moving with the person -----------------------------------------------------------------------


def _transfer(
    *,
    actor: User,
    profile: ProtocolProfile,
    new_holder: Organisation | None,
    new_holder_name: str,
    expected_version: int,
    reason: str,
) -> ProtocolProfile:
    if not profile.active:
        raise IllegalTransition("This profile is closed: it can no longer be moved.")
    errors: dict[str, str] = {}
    name = new_holder_name.strip()
    if new_holder is None and not name:
        errors["new_holder_name"] = "Choose the organisation, or enter the family member who will hold it"
    if new_holder is not None and new_holder.kind not in HOLDER_KINDS:
        errors["new_holder"] = (
            "Profiles are held by care providers, health trusts, local authorities or families"
        )
    if new_holder is not None and new_holder.pk == profile.holder_id:
        errors["new_holder"] = "The profile is already held there"
    if len(name) > 200:
        errors["new_holder_name"] = "The name can be at most 200 characters"
    if len(reason.strip()) > 300:
        errors["reason"] = "The reason can be at most 300 characters"
    if errors:
        raise InvalidInput(errors)
    to_label = str(new_holder) if new_holder is not None else f"Family: {name}"
    summary = f"Moved from {profile.holder_label} to {to_label}"
    if reason.strip():
        summary += f" — {reason.strip()}"
    profile = _save_state(
        profile,
        expected_version=expected_version,
        actor=actor,
        kind="transferred",
        summary=summary,
        holder=new_holder,
        holder_name="" if new_holder is not None else name,
    )
    # Handing the form to another organisation is a disclosure to it (DPA 2018 s.62).
    _audit(
        actor,
        Operation.DISCLOSURE,
        "profile.transferred",
        "protocol_profile",
        profile.pk,
        ["holder"],
        recipient=new_holder.pk if new_holder is not None else None,
        reason=reason.strip(),
    )
    return profile


@transaction.atomic
def profile_transfer(
    *,
    actor: User,
    profile: ProtocolProfile,
    new_holder: Organisation | None,
    new_holder_name: str = "",
    expected_version: int | None = None,
    reason: str = "",
) -> ProtocolProfile:
    """Move the profile to the person's new placement (or to their family). The old holder loses sight of it."""
    if not may_transfer(actor, profile):
        raise NotAllowed("Only the holder or the placing authority can move this profile")
    return _transfer(
        actor=actor,
        profile=profile,
        new_holder=new_holder,
        new_holder_name=new_holder_name,
        expected_version=profile.version if expected_version is None else expected_version,
        reason=reason,
    )


@transaction.atomic
def profile_follow_placement(
    *,
    actor: User,
    person: Person,
    location: Location | None,
    is_placement: bool = False,
    placing_authority: Organisation | None = None,
) -> ProtocolProfile | None:
    """Called when a new address or placement is recorded: the profile follows the person (SPEC §3).

    - to premises whose provider can hold a profile (a children's home, hospital, council unit): that
      provider;
    - to a foster or other placement with no such provider: the placing authority, which arranged it;
    - home to a private address (not a placement): the family, named as the holder, and the
      organisation that held it loses sight of it.
    The caller has already been allowed to record the address, which is what authorises the move.
    Nothing happens when there is no current profile, or it is already where it should be.
    """
    profile = ProtocolProfile.objects.filter(person=person, active=True).select_related("holder").first()
    if profile is None:
        return None
    provider = location.provider if location is not None else None
    where = location.name if location is not None else "a new address"
    new_holder: Organisation | None
    if provider is not None and provider.kind in HOLDER_KINDS:
        new_holder, name, reason = provider, "", f"New placement at {where}"[:300]
    elif is_placement and placing_authority is not None:
        new_holder, name, reason = (
            placing_authority,
            "",
            f"New placement at {where}, arranged by {placing_authority}"[:300],
        )
    elif not is_placement and (location is None or location.category == LocationCategory.PRIVATE_HOME):
        new_holder, name, reason = None, "living at home", "Moved home to family"
    else:
        return None
    if (new_holder is not None and new_holder.pk == profile.holder_id) or (
        new_holder is None and profile.holder_id is None
    ):
        return None
    return _transfer(
        actor=actor,
        profile=profile,
        new_holder=new_holder,
        new_holder_name=name,
        expected_version=profile.version,
        reason=reason,
    )


# --- Part 2: reported missing ---------------------------------------------------------------------


# What a part 2 needs before it goes to the police, and what to say when it is missing.
SUBMIT_REQUIRED: dict[str, str] = {
    "last_seen_at": "Enter when they were last seen",
    "last_seen_place": "Enter where they were last seen",
    "circumstances": "Describe what happened",
    "reasonable_steps": "Record the reasonable steps you took before reporting: searches made, "
    "calls to them and their friends, places checked",
    "reporter_name": "Enter the name of the person reporting",
    "reporter_relationship": "Enter your role, for example: residential support worker",
}


@dataclass
class MissingReportData:
    last_seen_at: dt.datetime | None
    last_seen_place: str = ""
    last_seen_with: str = ""
    clothing: str = ""
    circumstances: str = ""
    reasonable_steps: str = ""
    reporter_name: str = ""
    reporter_relationship: str = ""
    reporter_phone: str = ""
    missing_from: Location | None = None


def _validate_report(profile: ProtocolProfile, data: MissingReportData, *, submit: bool) -> None:
    errors: dict[str, str] = {}
    for name, limit in SHORT_LIMITS.items():
        if len(getattr(data, name)) > limit:
            errors[name] = f"This can be at most {limit} characters"
    for name in ("clothing", "circumstances", "reasonable_steps"):
        if len(getattr(data, name)) > TEXT_LIMIT:
            errors[name] = f"This can be at most {TEXT_LIMIT} characters"
    if data.last_seen_at is not None and data.last_seen_at > timezone.now() + dt.timedelta(minutes=5):
        errors["last_seen_at"] = "Last seen must be in the past"
    if data.missing_from is not None and data.missing_from.provider_id != profile.holder_id:
        errors["missing_from"] = "Choose one of your own premises, or leave this blank"
    if submit:
        required = SUBMIT_REQUIRED
        for name, message in required.items():
            value = getattr(data, name)
            if value is None or (isinstance(value, str) and not value.strip()):
                errors.setdefault(name, message)
    if errors:
        raise InvalidInput(errors)


def _report_fields(data: MissingReportData) -> dict[str, Any]:
    return {
        "missing_from": data.missing_from,
        "last_seen_at": data.last_seen_at,
        "last_seen_place": data.last_seen_place.strip(),
        "last_seen_with": data.last_seen_with.strip(),
        "clothing": data.clothing.strip(),
        "circumstances": data.circumstances.strip(),
        "reasonable_steps": data.reasonable_steps.strip(),
        "reporter_name": data.reporter_name.strip(),
        "reporter_relationship": data.reporter_relationship.strip(),
        "reporter_phone": data.reporter_phone.strip(),
    }


@transaction.atomic
def profile_report_save(
    *,
    actor: User,
    profile: ProtocolProfile,
    data: MissingReportData,
    submit: bool,
    report: ProfileMissingReport | None = None,
) -> ProfileMissingReport:
    """Write part 2 as a draft, or submit it to the police. Reasonable steps are required to submit."""
    _require_keeper(actor, profile)
    if report is not None and (report.profile_id != profile.pk or report.status != ReportStatus.DRAFT):
        raise IllegalTransition(
            "This report has already been sent to the police: it can no longer be changed."
        )
    _validate_report(profile, data, submit=submit)
    now = timezone.now()
    fields = _report_fields(data)
    status = ReportStatus.SUBMITTED if submit else ReportStatus.DRAFT
    if submit:
        fields.update(submitted_at=now, submitted_by=actor)
    busy = {"__all__": "A part 2 for this profile is already in progress: open it from the profile page"}
    if report is None:
        try:
            with transaction.atomic():
                report = ProfileMissingReport.objects.create(
                    profile=profile,
                    status=status,
                    reporting_org=actor.organisation,
                    created_at=now,
                    created_by=actor,
                    updated_at=now,
                    **fields,
                )
        except IntegrityError as exc:
            raise InvalidInput(busy) from exc
    else:
        # Conditional on still being a draft, so two submits of the same draft send it once.
        done = ProfileMissingReport.objects.filter(pk=report.pk, status=ReportStatus.DRAFT).update(
            status=status, updated_at=now, **fields
        )
        if not done:
            raise IllegalTransition("This report has already been sent to the police.")
        report.refresh_from_db()
    if submit:
        _event(
            profile,
            version=profile.version,
            kind="reported_missing",
            summary="Part 2 submitted to the police",
            actor=actor,
        )
        # Sending part 2 to the force is a disclosure to it.
        _audit(
            actor,
            Operation.DISCLOSURE,
            "profile_report.submitted",
            "profile_report",
            report.pk,
            list(fields),
            recipient=profile.person.force_id,
        )
    else:
        _audit(
            actor, Operation.COLLECTION, "profile_report.drafted", "profile_report", report.pk, list(fields)
        )
    return report


@transaction.atomic
def profile_report_withdraw(
    *, actor: User, report: ProfileMissingReport, reason: str
) -> ProfileMissingReport:
    """The person came back (or the report was a mistake) before the police recorded it."""
    _require_keeper(actor, report.profile)
    if not reason.strip():
        raise InvalidInput(
            {"reason": "Give the reason, for example: returned at 21:40 before police attended"}
        )
    if len(reason.strip()) > 300:
        raise InvalidInput({"reason": "The reason can be at most 300 characters"})
    done = ProfileMissingReport.objects.filter(pk=report.pk, status__in=OPEN_REPORT_STATUSES).update(
        status=ReportStatus.WITHDRAWN, withdrawn_reason=reason.strip(), updated_at=timezone.now()
    )
    if not done:
        raise IllegalTransition("The police have already recorded this report: update the episode instead.")
    report.refresh_from_db()
    _event(
        report.profile,
        version=report.profile.version,
        kind="report_withdrawn",
        summary=f"Part 2 withdrawn: {reason.strip()}",
        actor=actor,
    )
    _audit(actor, Operation.ALTERATION, "profile_report.withdrawn", "profile_report", report.pk, ["status"])
    return report


def report_prefill(report: ProfileMissingReport) -> dict[str, Any]:
    """The police report form's initial values from part 2 (ReportForm field names, JSON-safe).

    person_id and profile_report_id are not form fields: they say which person the pre-fill is for and
    which part 2 to link once the episode exists.
    """
    values: dict[str, Any] = {
        "last_seen_place": report.last_seen_place,
        "last_seen_with": report.last_seen_with,
        "clothing": report.clothing,
        "circumstances": report.circumstances,
        "reasonable_steps": report.reasonable_steps,
        "reporting_person_name": report.reporter_name,
        "reporting_person_relationship": report.reporter_relationship,
        "reporting_person_phone": report.reporter_phone,
        "person_id": report.profile.person_id,
        "profile_report_id": report.pk,
    }
    if report.last_seen_at is not None:
        values["last_seen_at"] = timezone.localtime(report.last_seen_at).strftime("%Y-%m-%dT%H:%M")
    if report.missing_from_id is not None:
        values["missing_from"] = report.missing_from_id
        if report.missing_from is not None and report.missing_from.district_id is not None:
            values["district"] = report.missing_from.district_id
    return values


def profile_report_start(*, actor: User, report: ProfileMissingReport) -> dict[str, Any]:
    """A call handler takes up a submitted part 2: the pre-fill for their report, and a log that they read it."""
    if not actor.can(Capability.REPORT):
        raise NotAllowed("Your role cannot take missing reports")
    if report.status != ReportStatus.SUBMITTED:
        raise IllegalTransition(
            f"This report is {report.get_status_display().lower()}: there is nothing to start."
        )
    audit_record(
        actor=actor,
        operation=Operation.CONSULTATION,
        event_type="profile_report.started",
        object_type="profile_report",
        object_ids=[report.pk],
    )
    return report_prefill(report)


@transaction.atomic
def profile_report_link_episode(
    *, actor: User, profile_report_id: int, episode: Episode
) -> ProfileMissingReport | None:
    """Tie a submitted part 2 to the episode the police recorded from it.

    Returns None, writing nothing, when the part 2 is not the actor's to link, belongs to someone else,
    or was withdrawn or linked meanwhile: the episode is already saved and must not fail because of it.
    """
    if not actor.can(Capability.REPORT):
        raise NotAllowed("Your role cannot take missing reports")
    report = (
        ProfileMissingReport.objects.filter(
            report_visibility(actor),
            pk=profile_report_id,
            status=ReportStatus.SUBMITTED,
            profile__person_id=episode.person_id,
        )
        .select_related("profile")
        .first()
    )
    if report is None:
        return None
    now = timezone.now()
    done = ProfileMissingReport.objects.filter(pk=report.pk, status=ReportStatus.SUBMITTED).update(
        status=ReportStatus.LINKED, episode=episode, linked_at=now, linked_by=actor, updated_at=now
    )
    if not done:
        return None
    report.refresh_from_db()
    _event(
        report.profile,
        version=report.profile.version,
        kind="report_linked",
        summary=f"Part 2 recorded by the police as {episode.reference}",
        actor=actor,
    )
    _audit(actor, Operation.COMBINATION, "profile_report.linked", "profile_report", report.pk, ["episode"])
    return report
