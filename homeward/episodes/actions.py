"""Every write to an episode: one action per state change, each audited in its own transaction.

Concurrency: an episode carries a version. State changes say which version the user saw
(`expected_version`) and update with `WHERE version = n`; if another save got there first nothing is
written and EditConflict lists what changed meanwhile (select_for_update would do nothing on SQLite).
Appends that overwrite nothing (updates, sightings, new enquiries) do not bump the version.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.episodes import hooks, policy
from homeward.episodes.models import (
    ClockAlert,
    Condition,
    Enquiry,
    EnquiryStatus,
    Episode,
    EpisodeEvent,
    EpisodeUpdate,
    Escalation,
    EscalationStatus,
    FoundRecord,
    HowFound,
    InterviewOutcome,
    PreventionInterview,
    RiskAssessment,
    Sighting,
    SightingStatus,
    Status,
)
from homeward.errors import EditConflict, IllegalTransition, InvalidInput, NotAllowed
from homeward.identity.roles import Capability, outranks
from homeward.places.models import REASONABLE_STEPS_CATEGORIES, LocationCategory
from homeward.versioning import update_if_unchanged

if TYPE_CHECKING:
    from homeward.identity.models import District, User
    from homeward.people.models import Person
    from homeward.places.models import Location

# The APP call-handler questions (College of Policing quick-reference guide), asked at every report.
CALL_HANDLER_QUESTIONS: list[tuple[str, str]] = [
    ("why_worried", "Why are you worried about the missing person?"),
    ("steps_taken", "What has been done so far to trace them?"),
    ("out_of_character", "Is this out of character?"),
    ("missing_before", "Have they been missing before? If so, what happened while they were missing?"),
    ("medical_needs", "Are there any specific medical needs?"),
    ("victim_of_crime", "Are they likely to become the victim of crime?"),
    ("hurt_or_harmed", "Are they likely to be hurt or harmed?"),
    ("sexual_exploitation", "Are they currently at risk of sexual exploitation?"),
    ("self_harm", "Are they likely to self-harm or attempt suicide?"),
    ("danger_to_others", "Do they pose a danger to other people?"),
    ("travel_abroad", "Are they likely to have travelled abroad?"),
    ("other_information", "Is there any other information relevant to their absence?"),
]

# The structured risk factors (the 25-question questionnaire of the ACPO 2010 lineage).
RISK_FACTORS: list[tuple[str, str]] = [
    ("suicide_risk", "Identified risk of suicide?"),
    ("criminality", "Criminality suspected?"),
    ("age_infirmity", "Vulnerable through age or infirmity?"),
    ("medication", "Adverse effects if prescribed medication is unavailable?"),
    ("medical_condition", "Dementia, medical or mental-health condition, physical illness or disability?"),
    ("interaction", "Problems interacting safely with others in unfamiliar circumstances?"),
    ("dependency", "Dependency on drugs, alcohol or other substances?"),
    ("child_protection", "On the Child Protection Register?"),
    ("weather", "Do current or previous weather conditions add risk (consider age and clothing)?"),
    ("family_problems", "Family or relationship problems, conflict or abuse?"),
    ("domestic_violence", "Victim or perpetrator of domestic violence?"),
    ("community_issue", "Ongoing racial, sexual, homophobic, community or cultural issue?"),
    ("violent_incident", "Involved in a violent or hate-crime incident beforehand?"),
    ("school_work_money", "School, college, university, employment or financial problems?"),
    ("forced_marriage", "Forced marriage or honour-based abuse?"),
    ("sexual_exploitation", "Victim of sexual exploitation, trafficking or prostitution?"),
    ("out_of_character", "Circumstances different from normal behaviour?"),
    ("known_reason", "Known reason to go missing?"),
    ("preparation", "Signs of preparation for absence?"),
    ("failed_intention", "What were they intending to do when last seen, and did they fail to complete it?"),
    ("harm_before", "Missing before, and exposed to harm then?"),
    ("risk_to_others", "A risk to others?"),
    ("other_factors", "Any other factors?"),
    ("mental_health", "Mental-health condition other than dementia?"),
    ("dementia", "Dementia or a progressive neurological disorder?"),
]
ANSWERS = ("yes", "no", "unknown")

# Systems a risk assessor checks (IOPC 2020: record who searched which system).
SYSTEMS = [
    ("pnc", "Police National Computer (PNC)"),
    ("pnd", "Police National Database (PND)"),
    ("rms", "Local records (RMS)"),
    ("previous_missing", "Previous missing reports"),
    ("social_care", "Children's / adult social care"),
    ("health", "Health / mental health services"),
]


def _now() -> dt.datetime:
    return timezone.now()


def _require(actor: User, capability: str, what: str) -> None:
    if not actor.can(capability):
        raise NotAllowed(f"Your role cannot {what}")


def _check_transition(episode: Episode, action: str) -> str | None:
    allowed_from, to_status = policy.TRANSITIONS[action]
    if episode.status not in allowed_from:
        message = policy.REFUSALS.get(
            (action, episode.status),
            f"This episode is {episode.get_status_display().lower()}, so you cannot "
            f"{action.replace('_', ' ')} now.",
        )
        raise IllegalTransition(message)
    return to_status


def _refuse_if_finished(episode: Episode) -> None:
    if episode.status in (Status.CLOSED, Status.NOT_RECORDED):
        raise IllegalTransition(
            f"This episode is {episode.get_status_display().lower()}: it can no longer be changed."
        )


def _changes_since(episode_id: int, version: int) -> list[dict[str, Any]]:
    events = EpisodeEvent.objects.filter(episode_id=episode_id, version__gt=version).select_related("actor")
    return [
        {
            "version": e.version,
            "summary": e.summary,
            "by": e.actor.display_name if e.actor else "System",
            "at": e.at,
        }
        for e in events.order_by("version", "id")
    ]


def _save_state(
    episode: Episode, *, expected_version: int, actor: User | None, kind: str, summary: str, **fields: Any
) -> Episode:
    """Conditionally write the episode's new state and its history row, or raise EditConflict."""
    now = _now()
    current = update_if_unchanged(
        Episode, pk=episode.pk, expected_version=expected_version, updated_at=now, **fields
    )
    if current is not None:
        raise EditConflict(
            "Someone else changed this episode after you opened it. Nothing you entered has been saved yet: "
            "check what changed, then submit again.",
            current_version=current,
            changes=_changes_since(episode.pk, expected_version),
        )
    EpisodeEvent.objects.create(
        episode=episode, version=expected_version + 1, kind=kind, summary=summary[:500], actor=actor, at=now
    )
    episode.refresh_from_db()
    return episode


def _append_event(episode: Episode, *, actor: User, kind: str, summary: str) -> None:
    EpisodeEvent.objects.create(
        episode=episode, version=episode.version, kind=kind, summary=summary[:500], actor=actor, at=_now()
    )


def _audit(actor: User | None, operation: str, event_type: str, episode: Episode, fields: list[str]) -> None:
    audit_record(
        actor=actor,
        operation=operation,
        event_type=event_type,
        object_type="episode",
        object_ids=[episode.pk],
        changed_fields=fields,
    )


# --- Report ---------------------------------------------------------------------------------------


@dataclass
class ReportData:
    district: District
    reporting_person_name: str
    reporting_person_relationship: str
    last_seen_at: dt.datetime
    last_seen_place: str
    circumstances: str
    missing_from: Location | None = None
    missing_from_address: str = ""
    missing_from_category: str = ""
    reporting_person_phone: str = ""
    last_seen_with: str = ""
    clothing: str = ""
    call_handler_answers: dict[str, dict[str, str]] = field(default_factory=dict)
    reasonable_steps: str = ""
    reported_at: dt.datetime | None = None


def _validate_report(data: ReportData, now: dt.datetime) -> None:
    errors: dict[str, str] = {}
    if not data.reporting_person_name.strip():
        errors["reporting_person_name"] = "Enter the name of the person reporting"
    if not data.reporting_person_relationship.strip():
        errors["reporting_person_relationship"] = "Enter how the person reporting knows the missing person"
    if data.missing_from is None and not data.missing_from_address.strip():
        errors["missing_from"] = "Choose the place they are missing from, or enter its address"
    category = data.missing_from.category if data.missing_from else data.missing_from_category
    if category not in LocationCategory.values:
        errors["missing_from_category"] = "Choose what kind of place they are missing from"
    if data.last_seen_at > now + dt.timedelta(minutes=5):
        errors["last_seen_at"] = "Last seen must be in the past"
    if not data.last_seen_place.strip():
        errors["last_seen_place"] = "Enter where they were last seen"
    if not data.circumstances.strip():
        errors["circumstances"] = "Describe the circumstances"
    for key, answer in data.call_handler_answers.items():
        if key not in dict(CALL_HANDLER_QUESTIONS) or answer.get("answer") not in ANSWERS:
            errors[f"q_{key}"] = "Answer yes, no or not known"
    if category in REASONABLE_STEPS_CATEGORIES and not data.reasonable_steps.strip():
        errors["reasonable_steps"] = "Record the reasonable steps the carer took before reporting"
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def episode_report(*, actor: User, person: Person, data: ReportData) -> Episode:
    """Record a missing report. The episode starts `reported` until its first risk assessment."""
    _require(actor, Capability.REPORT, "take missing reports")
    now = _now()
    _validate_report(data, now)
    from homeward.people.models import Person as PersonModel

    # Locks the person row (PostgreSQL), so a report racing a merge of this record waits and sees it.
    merged_into = (
        PersonModel.objects.select_for_update()
        .filter(pk=person.pk)
        .values_list("merged_into", flat=True)
        .first()
    )
    if merged_into is not None:
        raise InvalidInput(
            {"person": f"This record was merged into record {merged_into}: report against that one"}
        )
    if Episode.objects.filter(
        person=person, status__in=(Status.REPORTED, Status.ACTIVE, Status.LONG_TERM)
    ).exists():
        raise InvalidInput(
            {"person": f"{person.full_name} is already missing: update the open episode instead"}
        )
    reported_at = data.reported_at or now
    age = person.age_on(timezone.localdate(reported_at))
    placement_district_council = data.district.council_id
    out_of_area = bool(
        person.looked_after
        and person.placing_authority_id
        and person.placing_authority_id != placement_district_council
    )
    try:
        # A savepoint, so that losing a race to another report leaves this transaction usable.
        with transaction.atomic():
            episode = _episode_insert(actor, person, data, reported_at, age, out_of_area, now)
    except IntegrityError as exc:
        raise InvalidInput(
            {"person": f"{person.full_name} is already missing: update the open episode instead"}
        ) from exc
    # The reference is derived from the row id, so it is unique without a counter to contend on.
    episode.reference = f"MP-{timezone.localdate(reported_at).year}-{episode.pk:06d}"
    episode.save(update_fields=["reference"])
    EpisodeEvent.objects.create(
        episode=episode,
        version=1,
        kind="reported",
        summary=f"Reported missing by {episode.reporting_person_name}",
        actor=actor,
        at=now,
    )
    _audit(actor, Operation.COLLECTION, "episode.reported", episode, ["*"])
    hooks.after_reported(episode, actor)
    return episode


def _episode_insert(
    actor: User,
    person: Person,
    data: ReportData,
    reported_at: dt.datetime,
    age: int | None,
    out_of_area: bool,
    now: dt.datetime,
) -> Episode:
    return Episode.objects.create(
        reference=f"tmp-{uuid.uuid4().hex[:16]}",
        person=person,
        force_id=data.district.force_id,
        district=data.district,
        status=Status.REPORTED,
        reported_at=reported_at,
        reported_by=actor,
        reporting_person_name=data.reporting_person_name.strip(),
        reporting_person_relationship=data.reporting_person_relationship.strip(),
        reporting_person_phone=data.reporting_person_phone.strip(),
        missing_from=data.missing_from,
        premises_provider_id=data.missing_from.provider_id if data.missing_from else None,
        missing_from_address=data.missing_from_address.strip(),
        missing_from_category=data.missing_from.category if data.missing_from else data.missing_from_category,
        last_seen_at=data.last_seen_at,
        last_seen_place=data.last_seen_place.strip(),
        last_seen_with=data.last_seen_with.strip(),
        clothing=data.clothing.strip(),
        circumstances=data.circumstances.strip(),
        call_handler_answers=data.call_handler_answers,
        reasonable_steps=data.reasonable_steps.strip(),
        age_at_report=age,
        is_child=None if age is None else age < settings.HOMEWARD_ADULT_AGE,
        looked_after=person.looked_after,
        placing_authority_id=person.placing_authority_id,
        out_of_area=out_of_area,
        updated_at=now,
    )


@transaction.atomic
def episode_decide_not_recorded(
    *, actor: User, episode: Episode, expected_version: int, reason: str
) -> Episode:
    """The decision not to record a report as a missing episode is itself a record (who, when, why)."""
    _require(actor, Capability.DECIDE_NOT_RECORDED, "decide a report is not recorded")
    to_status = _check_transition(episode, "decide_not_recorded")
    if len(reason.strip()) < 10:
        raise InvalidInput(
            {"reason": "Give the reason for not recording this report (at least 10 characters)"}
        )
    now = _now()
    episode = _save_state(
        episode,
        expected_version=expected_version,
        actor=actor,
        kind="not_recorded",
        summary=f"Not recorded as missing: {reason.strip()}",
        status=to_status,
        not_recorded_reason=reason.strip(),
        not_recorded_by=actor,
        not_recorded_at=now,
    )
    _audit(actor, Operation.ALTERATION, "episode.not_recorded", episode, ["status", "not_recorded_reason"])
    hooks.after_not_recorded(episode, actor)
    return episode


# --- Risk -----------------------------------------------------------------------------------------


@dataclass
class RiskData:
    level: str
    rationale: str
    factors: dict[str, str] = field(default_factory=dict)
    systems_checked: list[dict[str, str]] = field(default_factory=list)


@transaction.atomic
def risk_assessment_record(
    *, actor: User, episode: Episode, expected_version: int, data: RiskData
) -> RiskAssessment:
    """Grade (or regrade) the risk. Never edits an earlier assessment: each grading is a new row."""
    _require(actor, Capability.ASSESS_RISK, "record risk assessments")
    _check_transition(episode, "assess_risk")
    errors: dict[str, str] = {}
    allowed = dict(policy.levels_allowed(is_child=episode.is_child))
    if data.level not in dict(policy.risk_levels()):
        errors["level"] = "Choose a risk level"
    elif data.level not in allowed:
        who = "A child" if episode.is_child else "Someone whose age is not known"
        errors["level"] = f"{who} cannot be graded {policy.risk_label(data.level).lower()} risk (local rule)"
    if len(data.rationale.strip()) < 10:
        errors["rationale"] = "Explain the grading: the rationale is required (at least 10 characters)"
    known_factors = dict(RISK_FACTORS)
    for key, answer in data.factors.items():
        if key not in known_factors or answer not in ANSWERS:
            errors[f"f_{key}"] = "Answer yes, no or not known"
    known_systems = dict(SYSTEMS)
    for row in data.systems_checked:
        if row.get("system") not in known_systems:
            errors["systems_checked"] = "Choose systems from the list"
    if errors:
        raise InvalidInput(errors)
    now = _now()
    next_review = now + policy.review_interval(data.level)
    highest = episode.risk_level_highest
    if policy.risk_rank(data.level) > policy.risk_rank(highest):
        highest = data.level
    verb = (
        "Graded"
        if not episode.risk_level
        else f"Regraded from {policy.risk_label(episode.risk_level).lower()} to"
    )
    # The version-checked update goes first: it takes the episode's row lock, so a simultaneous save
    # waits for it, then finds the version moved and conflicts before writing anything of its own.
    _save_state(
        episode,
        expected_version=expected_version,
        actor=actor,
        kind="risk_assessed",
        summary=f"{verb} {policy.risk_label(data.level).lower()} risk",
        status=Status.ACTIVE if episode.status == Status.REPORTED else episode.status,
        risk_level=data.level,
        risk_level_first=episode.risk_level_first or data.level,
        risk_level_highest=highest,
        next_review_due=next_review,
        sign_off_due=now + policy.sign_off_interval(),
    )
    sequence = (
        episode.risk_assessments.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    ) + 1
    assessment = RiskAssessment.objects.create(
        episode=episode,
        sequence=sequence,
        level=data.level,
        factors=data.factors,
        rationale=data.rationale.strip(),
        systems_checked=[{**row, "checked_by": actor.display_name} for row in data.systems_checked],
        assessed_by=actor,
        assessed_at=now,
        next_review_due=next_review,
    )
    _audit(actor, Operation.ALTERATION, "risk.assessed", episode, ["risk_level", "next_review_due"])
    return assessment


@transaction.atomic
def risk_assessment_sign_off(
    *,
    actor: User,
    assessment: RiskAssessment,
    expected_version: int,
    note: str = "",
    next_review_due: dt.datetime | None = None,
) -> RiskAssessment:
    """A supervisor confirms the grading and, if they choose, sets a different next review time."""
    _require(actor, Capability.SIGN_OFF, "sign off risk assessments")
    episode = assessment.episode
    if assessment.signed_off_at is not None:
        raise IllegalTransition("This risk assessment has already been signed off.")
    latest = episode.risk_assessments.order_by("-sequence").first()
    if latest is None or latest.pk != assessment.pk:
        raise IllegalTransition("A newer risk assessment exists: sign off that one instead.")
    now = _now()
    if next_review_due is not None and next_review_due <= now:
        raise InvalidInput({"next_review_due": "The next review must be in the future"})
    if next_review_due is not None and not episode.is_open:
        raise InvalidInput(
            {"next_review_due": "The person is no longer missing, so there is no next review to set"}
        )
    assessment.signed_off_by = actor
    assessment.signed_off_at = now
    assessment.sign_off_note = note.strip()
    fields: dict[str, Any] = {"sign_off_due": None}
    if next_review_due is not None:
        assessment.next_review_due = next_review_due
        fields["next_review_due"] = next_review_due
    _save_state(
        episode,
        expected_version=expected_version,
        actor=actor,
        kind="risk_signed_off",
        summary=f"{policy.risk_label(assessment.level)} risk assessment signed off",
        **fields,
    )
    assessment.save(update_fields=["signed_off_by", "signed_off_at", "sign_off_note", "next_review_due"])
    _audit(actor, Operation.ALTERATION, "risk.signed_off", episode, ["signed_off_by", *fields.keys()])
    return assessment


# --- Investigation --------------------------------------------------------------------------------


@transaction.atomic
def enquiry_add(
    *, actor: User, episode: Episode, description: str, owner: User | None, due_at: dt.datetime | None = None
) -> Enquiry:
    _require(actor, Capability.INVESTIGATE, "add actions")
    if not episode.is_open:
        raise IllegalTransition("Actions can only be added while the person is missing.")
    if not description.strip():
        raise InvalidInput({"description": "Describe the action or enquiry"})
    if owner is not None and owner.organisation_id != episode.force_id:
        raise InvalidInput({"owner": "The owner must be in the investigating force"})
    now = _now()
    enquiry = Enquiry.objects.create(
        episode=episode,
        description=description.strip(),
        owner=owner,
        due_at=due_at,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _append_event(episode, actor=actor, kind="enquiry_added", summary=f"Action added: {enquiry.description}")
    _audit(actor, Operation.ALTERATION, "enquiry.added", episode, ["enquiries"])
    return enquiry


@transaction.atomic
def enquiry_update(
    *, actor: User, enquiry: Enquiry, expected_version: int, status: str, result: str
) -> Enquiry:
    _require(actor, Capability.INVESTIGATE, "update actions")
    _refuse_if_finished(enquiry.episode)
    if status not in EnquiryStatus.values:
        raise InvalidInput({"status": "Choose a status"})
    if status == EnquiryStatus.DONE and not result.strip():
        raise InvalidInput({"result": "Record the result before marking the action done"})
    updated = Enquiry.objects.filter(pk=enquiry.pk, version=expected_version).update(
        status=status, result=result.strip(), version=F("version") + 1, updated_at=_now()
    )
    if not updated:
        enquiry.refresh_from_db()
        raise EditConflict(
            "Someone else updated this action after you opened it; nothing was saved.",
            current_version=enquiry.version,
            changes=[
                {
                    "summary": f"Now {enquiry.get_status_display().lower()}: {enquiry.result}",
                    "by": "",
                    "at": enquiry.updated_at,
                }
            ],
        )
    enquiry.refresh_from_db()
    _append_event(
        enquiry.episode,
        actor=actor,
        kind="enquiry_updated",
        summary=f"Action {enquiry.get_status_display().lower()}: {enquiry.description}",
    )
    _audit(actor, Operation.ALTERATION, "enquiry.updated", enquiry.episode, ["status", "result"])
    return enquiry


@transaction.atomic
def episode_update_add(*, actor: User, episode: Episode, text: str) -> EpisodeUpdate:
    _require(actor, Capability.INVESTIGATE, "add updates")
    _refuse_if_finished(episode)
    if not text.strip():
        raise InvalidInput({"text": "Enter the update"})
    update = EpisodeUpdate.objects.create(episode=episode, text=text.strip(), author=actor, created_at=_now())
    _append_event(episode, actor=actor, kind="update", summary=f"Update: {update.text[:200]}")
    _audit(actor, Operation.ALTERATION, "update.added", episode, ["updates"])
    return update


@transaction.atomic
def sighting_record(
    *,
    actor: User,
    episode: Episode,
    seen_at: dt.datetime,
    place: str,
    reported_by: str,
    details: str,
    status: str = SightingStatus.UNVERIFIED,
) -> Sighting:
    _require(actor, Capability.INVESTIGATE, "record sightings")
    if not episode.is_open:
        raise IllegalTransition("Sightings can only be recorded while the person is missing.")
    errors: dict[str, str] = {}
    if not place.strip():
        errors["place"] = "Enter where they were seen"
    if not reported_by.strip():
        errors["reported_by"] = "Enter who reported the sighting"
    if seen_at > _now() + dt.timedelta(minutes=5):
        errors["seen_at"] = "The sighting must be in the past"
    if status not in SightingStatus.values:
        errors["status"] = "Choose a status"
    if errors:
        raise InvalidInput(errors)
    sighting = Sighting.objects.create(
        episode=episode,
        seen_at=seen_at,
        place=place.strip(),
        reported_by=reported_by.strip(),
        details=details.strip(),
        status=status,
        recorded_by=actor,
        recorded_at=_now(),
    )
    _append_event(episode, actor=actor, kind="sighting", summary=f"Sighting at {sighting.place}")
    _audit(actor, Operation.COLLECTION, "sighting.recorded", episode, ["sightings"])
    return sighting


# --- Found, interview, closure ----------------------------------------------------------------------


@dataclass
class FoundData:
    found_at: dt.datetime
    found_place: str
    how_found: str
    condition: str
    found_location: Location | None = None
    found_location_category: str = LocationCategory.OTHER
    harm_details: str = ""
    victim_of_offence: bool = False
    suspect_of_offence: bool = False
    exploitation_indicators: list[str] = field(default_factory=list)
    where_been: str = ""
    with_whom: str = ""
    withhold_whereabouts: bool = False


@transaction.atomic
def episode_mark_found(*, actor: User, episode: Episode, expected_version: int, data: FoundData) -> Episode:
    _require(actor, Capability.RECORD_FOUND, "record people as found")
    to_status = _check_transition(episode, "mark_found")
    now = _now()
    errors: dict[str, str] = {}
    if data.found_at > now + dt.timedelta(minutes=5):
        errors["found_at"] = "Found time must be in the past"
    elif data.found_at < episode.last_seen_at:
        errors["found_at"] = "Found time must be after they were last seen"
    if not data.found_place.strip():
        errors["found_place"] = "Enter where they were found"
    if data.how_found not in HowFound.values:
        errors["how_found"] = "Choose how they were found"
    if data.condition not in Condition.values:
        errors["condition"] = "Choose their condition"
    category = data.found_location.category if data.found_location else data.found_location_category
    if category not in LocationCategory.values:
        errors["found_location_category"] = "Choose what kind of place they were found at"
    if data.condition in (Condition.HARMED, Condition.INJURED) and not data.harm_details.strip():
        errors["harm_details"] = "Describe the harm or injury"
    if data.withhold_whereabouts and episode.is_child:
        errors["withhold_whereabouts"] = "Only adults may ask for their whereabouts to be withheld"
    if errors:
        raise InvalidInput(errors)
    deceased = data.condition == Condition.DECEASED
    episode = _save_state(
        episode,
        expected_version=expected_version,
        actor=actor,
        kind="found",
        summary="Found deceased" if deceased else f"Found: {dict(Condition.choices)[data.condition].lower()}",
        status=Status.FOUND_DECEASED if deceased else to_status,
        found_at=data.found_at,
        next_review_due=None,
        sign_off_due=None,
    )
    FoundRecord.objects.create(
        episode=episode,
        found_at=data.found_at,
        found_place=data.found_place.strip(),
        found_location=data.found_location,
        found_location_category=category,
        how_found=data.how_found,
        condition=data.condition,
        harm_details=data.harm_details.strip(),
        victim_of_offence=data.victim_of_offence,
        suspect_of_offence=data.suspect_of_offence,
        exploitation_indicators=data.exploitation_indicators,
        where_been=data.where_been.strip(),
        with_whom=data.with_whom.strip(),
        withhold_whereabouts=data.withhold_whereabouts,
        recorded_by=actor,
        recorded_at=now,
    )
    _audit(actor, Operation.ALTERATION, "episode.found", episode, ["status", "found_at"])
    hooks.after_found(episode, actor)
    return episode


@dataclass
class InterviewData:
    outcome: str
    conducted_at: dt.datetime
    face_to_face: bool = True
    push_factors: str = ""
    pull_factors: str = ""
    disclosures: str = ""
    harm: str = ""
    support_needed: str = ""
    referrals: str = ""
    carer_account: str = ""


@transaction.atomic
def prevention_interview_record(
    *, actor: User, episode: Episode, expected_version: int, data: InterviewData
) -> PreventionInterview:
    _require(actor, Capability.INVESTIGATE, "record prevention interviews")
    _check_transition(episode, "record_prevention_interview")
    if PreventionInterview.objects.filter(episode=episode).exists():
        raise IllegalTransition("A prevention interview is already recorded for this episode.")
    errors: dict[str, str] = {}
    if data.outcome not in InterviewOutcome.values:
        errors["outcome"] = "Choose whether the interview was completed or declined"
    if episode.found_at and data.conducted_at < episode.found_at:
        errors["conducted_at"] = "The interview must be after they were found"
    if data.conducted_at > _now() + dt.timedelta(minutes=5):
        errors["conducted_at"] = "The interview time must be in the past"
    if data.outcome == InterviewOutcome.DECLINED and not data.carer_account.strip():
        errors["carer_account"] = "When the interview is declined, record the carer's or family's account"
    if errors:
        raise InvalidInput(errors)
    _save_state(
        episode,
        expected_version=expected_version,
        actor=actor,
        kind="prevention_interview",
        summary=f"Prevention interview {dict(InterviewOutcome.choices)[data.outcome].lower()}",
    )
    interview = PreventionInterview.objects.create(
        episode=episode,
        outcome=data.outcome,
        conducted_at=data.conducted_at,
        conducted_by=actor,
        face_to_face=data.face_to_face,
        push_factors=data.push_factors.strip(),
        pull_factors=data.pull_factors.strip(),
        disclosures=data.disclosures.strip(),
        harm=data.harm.strip(),
        support_needed=data.support_needed.strip(),
        referrals=data.referrals.strip(),
        carer_account=data.carer_account.strip(),
        recorded_at=_now(),
    )
    _audit(actor, Operation.COLLECTION, "prevention_interview.recorded", episode, ["prevention_interview"])
    return interview


@transaction.atomic
def episode_close(
    *,
    actor: User,
    episode: Episode,
    expected_version: int,
    note: str = "",
    prevention_not_done_reason: str = "",
) -> Episode:
    """Supervisor closure: needs the prevention interview, or the reason it was not done."""
    _require(actor, Capability.CLOSE, "close episodes")
    to_status = _check_transition(episode, "close")
    has_interview = PreventionInterview.objects.filter(episode=episode).exists()
    if episode.status == Status.FOUND and not has_interview and len(prevention_not_done_reason.strip()) < 10:
        raise InvalidInput(
            {
                "prevention_not_done_reason": "Record the prevention interview first, or explain why it was not done"
            }
        )
    episode = _save_state(
        episode,
        expected_version=expected_version,
        actor=actor,
        kind="closed",
        summary="Episode closed",
        status=to_status,
        closed_at=_now(),
        closed_by=actor,
        closure_note=note.strip(),
        prevention_not_done_reason=prevention_not_done_reason.strip(),
    )
    _audit(actor, Operation.ALTERATION, "episode.closed", episode, ["status", "closed_at"])
    return episode


@transaction.atomic
def episode_mark_long_term(*, actor: User | None, episode: Episode, expected_version: int) -> Episode:
    """Past the long-term threshold (default 28 days). Run by the clock task, or by a supervisor."""
    if actor is not None:
        _require(actor, Capability.SIGN_OFF, "mark episodes long-term missing")
    to_status = _check_transition(episode, "mark_long_term")
    threshold = dt.timedelta(days=settings.HOMEWARD_LONG_TERM_DAYS)
    if _now() - episode.reported_at < threshold:
        raise IllegalTransition(
            f"An episode becomes long-term missing {settings.HOMEWARD_LONG_TERM_DAYS} days after the report."
        )
    episode = _save_state(
        episode,
        expected_version=expected_version,
        actor=actor,
        kind="long_term",
        summary="Now long-term missing",
        status=to_status,
    )
    _audit(actor, Operation.ALTERATION, "episode.long_term", episode, ["status"])
    return episode


# --- Carer escalation -------------------------------------------------------------------------------


@transaction.atomic
def escalation_raise(*, actor: User, episode: Episode, grounds: str, raised_by_name: str = "") -> Escalation:
    """A carer (or police on the carer's behalf) appeals a decision not to record a report as missing."""
    _require(actor, Capability.RAISE_ESCALATION, "appeal decisions not to record")
    if episode.status != Status.NOT_RECORDED:
        raise IllegalTransition("Only a decision not to record a report can be appealed.")
    if episode.escalations.filter(status=EscalationStatus.OPEN).exists():
        raise IllegalTransition("An appeal against this decision is already waiting for a senior officer.")
    if len(grounds.strip()) < 10:
        raise InvalidInput({"grounds": "Explain why the decision should change (at least 10 characters)"})
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                episode=episode,
                raised_by=actor,
                raised_by_name=(raised_by_name.strip() or actor.display_name)[:200],
                raised_at=_now(),
                grounds=grounds.strip(),
            )
    except IntegrityError as exc:
        raise IllegalTransition(
            "An appeal against this decision is already waiting for a senior officer."
        ) from exc
    _append_event(
        episode,
        actor=actor,
        kind="escalation_raised",
        summary=f"Appeal raised by {escalation.raised_by_name}",
    )
    _audit(actor, Operation.COLLECTION, "escalation.raised", episode, ["escalations"])
    return escalation


def appeal_refusal(actor: User, episode: Episode) -> str:
    """Why this officer may not decide an appeal against the episode's decision not to record ("" if
    they may): not the officer who decided, and senior to them (SPEC §3 "a senior officer")."""
    if episode.not_recorded_by_id == actor.pk:
        return "The officer who decided not to record cannot decide the appeal against it"
    decider = episode.not_recorded_by
    if decider is not None and not outranks(actor.role, decider.role):
        return f"An appeal against a decision by a {decider.get_role_display().lower()} goes to a more senior officer"
    return ""


@transaction.atomic
def escalation_decide(
    *, actor: User, escalation: Escalation, expected_version: int, overturn: bool, reasons: str
) -> Escalation:
    """A senior officer upholds the decision, or overturns it: the report becomes a missing episode."""
    _require(actor, Capability.DECIDE_ESCALATION, "decide appeals")
    episode = escalation.episode
    if escalation.status != EscalationStatus.OPEN:
        raise IllegalTransition("This appeal has already been decided.")
    refusal = appeal_refusal(actor, episode)
    if refusal:
        raise NotAllowed(refusal)
    if len(reasons.strip()) < 10:
        raise InvalidInput({"reasons": "Give the reasons for the decision (at least 10 characters)"})
    now = _now()
    if overturn:
        to_status = _check_transition(episode, "overturn_not_recorded")
        try:
            with transaction.atomic():
                _save_state(
                    episode,
                    expected_version=expected_version,
                    actor=actor,
                    kind="escalation_overturned",
                    summary=f"Decision not to record overturned on appeal by {actor.display_name}: now recorded as missing",
                    status=to_status,
                )
        except IntegrityError as exc:
            raise InvalidInput(
                {
                    "reasons": f"{episode.person.full_name} already has an open episode: update that one instead"
                }
            ) from exc
    updated = Escalation.objects.filter(pk=escalation.pk, status=EscalationStatus.OPEN).update(
        status=EscalationStatus.OVERTURNED if overturn else EscalationStatus.UPHELD,
        decided_by=actor,
        decided_at=now,
        decision_reasons=reasons.strip(),
    )
    if not updated:
        raise EditConflict(
            "Someone else decided this appeal while you were reading it; nothing was saved.",
            current_version=episode.version,
            changes=[],
        )
    if not overturn:
        _append_event(
            episode, actor=actor, kind="escalation_upheld", summary="Decision not to record upheld on appeal"
        )
    escalation.refresh_from_db()
    _audit(actor, Operation.ALTERATION, "escalation.decided", episode, ["escalations", "status"])
    if overturn:
        episode.refresh_from_db()
        hooks.after_recorded_on_appeal(episode, actor)
    return escalation


# --- Clocks ----------------------------------------------------------------------------------------


@transaction.atomic
def episode_record_mpu_notified(
    *, actor: User, episode: Episode, expected_version: int, reference: str = ""
) -> Episode:
    """The UK Missing Persons Unit has been told (due once someone is missing 72 hours)."""
    _require(actor, Capability.INVESTIGATE, "record that the missing persons unit was told")
    if actor.organisation_id != episode.force_id:
        raise NotAllowed("Only the force that owns the episode tells the missing persons unit")
    if not episode.is_open:
        raise IllegalTransition("Only someone still missing is notified to the missing persons unit.")
    if episode.mpu_notified_at is not None:
        raise IllegalTransition("The missing persons unit has already been told about this episode.")
    episode = _save_state(
        episode,
        expected_version=expected_version,
        actor=actor,
        kind="mpu_notified",
        summary="Missing persons unit notified"
        + (f" (reference {reference.strip()})" if reference.strip() else ""),
        mpu_notified_at=_now(),
        mpu_notified_by=actor,
        mpu_reference=reference.strip()[:60],
    )
    _audit(actor, Operation.DISCLOSURE, "episode.mpu_notified", episode, ["mpu_notified_at", "mpu_reference"])
    return episode


@transaction.atomic
def clock_alert_acknowledge(*, actor: User, alert: ClockAlert) -> ClockAlert:
    """The manager an overdue clock was escalated to takes it on. Acknowledging twice changes nothing."""
    if not (actor.is_active and actor.organisation_id == alert.organisation_id and actor.role == alert.role):
        raise NotAllowed("Only the manager this alert was escalated to can acknowledge it")
    updated = ClockAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=_now(), acknowledged_by=actor
    )
    alert.refresh_from_db()
    if updated:
        audit_record(
            actor=actor,
            operation=Operation.ALTERATION,
            event_type="clock.acknowledged",
            object_type="episode",
            object_ids=[alert.episode_id],
            changed_fields=["acknowledged_at"],
            reason=f"alert {alert.pk}",
        )
    return alert
