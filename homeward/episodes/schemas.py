"""JSON shapes for episodes. Inputs mirror the action dataclasses; outputs list every field explicitly."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeAlias

from django.conf import settings
from ninja import Schema
from pydantic import AwareDatetime, Field

from homeward.api_base import DistrictRef, LocationRef, OrganisationRef, StrictInput, one_of
from homeward.episodes import policy
from homeward.episodes.actions import ANSWERS, CALL_HANDLER_QUESTIONS, RISK_FACTORS, SYSTEMS
from homeward.episodes.models import Condition, Episode, HowFound, RiskAssessment, Status
from homeward.people.models import MarkerType
from homeward.people.schemas import PersonSummaryOut, WithholdsFields, withheld_from
from homeward.places.models import LocationCategory

# The exploitation indicators recorded at return: the same subset of markers the HTML form offers.
EXPLOITATION_INDICATORS = (
    MarkerType.CSE,
    MarkerType.CCE,
    MarkerType.TRAFFICKING,
    MarkerType.SUBSTANCE_MISUSE,
)

if TYPE_CHECKING:
    AnswerCode: TypeAlias = str
    QuestionKey: TypeAlias = str
    FactorKey: TypeAlias = str
    SystemCode: TypeAlias = str
    RiskLevelCode: TypeAlias = str
    LocationCategoryCode: TypeAlias = str
    HowFoundCode: TypeAlias = str
    ConditionCode: TypeAlias = str
    ExploitationCode: TypeAlias = str
    OpenStatus: TypeAlias = str
else:
    AnswerCode = one_of(ANSWERS)
    QuestionKey = one_of(key for key, _ in CALL_HANDLER_QUESTIONS)
    FactorKey = one_of(key for key, _ in RISK_FACTORS)
    SystemCode = one_of(key for key, _ in SYSTEMS)
    # The scale is configurable (HOMEWARD_RISK_LEVELS); read once, when the API is loaded.
    RiskLevelCode = one_of(code for code, _ in settings.HOMEWARD_RISK_LEVELS)
    LocationCategoryCode = one_of(LocationCategory.values)
    HowFoundCode = one_of(HowFound.values)
    ConditionCode = one_of(Condition.values)
    ExploitationCode = one_of(EXPLOITATION_INDICATORS)
    OpenStatus = one_of(["open"])

VERSION_HELP = "The episode `version` you read; a 409 says someone else saved since."


# --- Input ------------------------------------------------------------------------------------------


class ReportingPersonIn(StrictInput):
    name: str = Field(max_length=200)
    relationship: str = Field(max_length=100, description="e.g. mother, care home manager")
    phone: str = Field("", max_length=40)


class CallHandlerAnswerIn(StrictInput):
    answer: AnswerCode
    detail: str = Field("", max_length=1000)


class ReportIn(StrictInput):
    """A missing report. Status, force, reference and version are set by the system, never sent."""

    person_id: int
    district_id: int
    missing_from_id: int | None = Field(None, description="Premises known to the force, if listed")
    missing_from_address: str = Field("", max_length=300, description="When the place is not listed")
    missing_from_category: LocationCategoryCode | None = Field(
        None, description="Kind of place, when giving an address"
    )
    reporting_person: ReportingPersonIn
    last_seen_at: AwareDatetime
    last_seen_place: str = Field(max_length=300)
    last_seen_with: str = Field("", max_length=300)
    clothing: str = Field("", max_length=2000)
    circumstances: str = Field(max_length=10_000)
    call_handler_answers: dict[QuestionKey, CallHandlerAnswerIn] = Field(default_factory=dict)
    reasonable_steps: str = Field(
        "", max_length=5000, description="Required when missing from a care setting or foster placement"
    )


class SystemCheckIn(StrictInput):
    system: SystemCode
    result: str = Field("", max_length=2000, description="What the check found")


class RiskIn(StrictInput):
    expected_version: int = Field(ge=1, description=VERSION_HELP)
    level: RiskLevelCode
    rationale: str = Field(max_length=10_000, description="Why this level (at least 10 characters)")
    factors: dict[FactorKey, AnswerCode] = Field(default_factory=dict)
    systems_checked: list[SystemCheckIn] = Field(default_factory=list, max_length=len(SYSTEMS))


class SignOffIn(StrictInput):
    expected_version: int = Field(ge=1, description=VERSION_HELP)
    note: str = Field("", max_length=5000)
    next_review_due: AwareDatetime | None = Field(
        None, description="Leave out to keep the default for this level"
    )


class FoundIn(StrictInput):
    expected_version: int = Field(ge=1, description=VERSION_HELP)
    found_at: AwareDatetime
    found_place: str = Field(max_length=300)
    found_location_id: int | None = None
    found_location_category: LocationCategoryCode = LocationCategory.OTHER.value
    how_found: HowFoundCode
    condition: ConditionCode
    harm_details: str = Field("", max_length=5000, description="Required when harmed or injured")
    victim_of_offence: bool = False
    suspect_of_offence: bool = False
    exploitation_indicators: list[ExploitationCode] = Field(
        default_factory=list, max_length=len(EXPLOITATION_INDICATORS)
    )
    where_been: str = Field("", max_length=5000)
    with_whom: str = Field("", max_length=300)
    withhold_whereabouts: bool = Field(False, description="Adults only: do not pass on where they are")


class CloseIn(StrictInput):
    expected_version: int = Field(ge=1, description=VERSION_HELP)
    note: str = Field("", max_length=5000)
    prevention_not_done_reason: str = Field(
        "", max_length=5000, description="Required if no prevention interview is recorded"
    )


# --- Output -----------------------------------------------------------------------------------------


class ReportingPersonOut(Schema):
    name: str
    relationship: str
    phone: str


class SystemCheckOut(Schema):
    system: str
    result: str = ""
    checked_by: str = ""


class RiskAssessmentOut(Schema):
    id: int
    sequence: int
    level: str
    level_label: str
    factors: dict[str, str]
    rationale: str
    systems_checked: list[SystemCheckOut]
    assessed_by: str | None
    assessed_at: dt.datetime
    next_review_due: dt.datetime
    signed_off_by: str | None
    signed_off_at: dt.datetime | None
    sign_off_note: str

    @staticmethod
    def resolve_level_label(obj: RiskAssessment) -> str:
        return policy.risk_label(obj.level)

    @staticmethod
    def resolve_assessed_by(obj: RiskAssessment) -> str | None:
        return obj.assessed_by.display_name if obj.assessed_by else None

    @staticmethod
    def resolve_signed_off_by(obj: RiskAssessment) -> str | None:
        return obj.signed_off_by.display_name if obj.signed_off_by else None


class EpisodeSummaryOut(WithholdsFields):
    id: int
    reference: str
    version: int = Field(description="Send back as `expected_version` when changing the episode")
    status: str
    status_label: str
    person: PersonSummaryOut
    district: DistrictRef
    missing_from: LocationRef | None
    risk_level: str
    reported_at: dt.datetime
    last_seen_at: dt.datetime
    next_review_due: dt.datetime | None = Field(None, description="Police only")
    sign_off_due: dt.datetime | None = Field(None, description="Police only")

    @staticmethod
    def resolve_status_label(obj: Episode) -> str:
        return Status(obj.status).label

    @staticmethod
    def resolve_withheld_fields(obj: Episode) -> list[str]:
        return withheld_from(obj, "episode", set(EpisodeOut.model_fields))


class EpisodeOut(EpisodeSummaryOut):
    """Fields marked "Police only" or "Not for care providers" are left out for partners
    (homeward/identity/sharing_rules.py) and named in `withheld_fields`."""

    reported_by: str | None = Field(None, description="Police only")
    reporting_person: ReportingPersonOut | None = Field(None, description="Police only")
    missing_from_address: str
    missing_from_category: str
    last_seen_place: str
    last_seen_with: str = Field("", description="Police only")
    clothing: str
    circumstances: str = Field("", description="Police only")
    call_handler_answers: dict[str, dict[str, str]] = Field(default_factory=dict, description="Police only")
    reasonable_steps: str = Field("", description="Police only")
    age_at_report: int | None
    is_child: bool | None
    looked_after: bool
    placing_authority: OrganisationRef | None = Field(None, description="Not for care providers")
    out_of_area: bool = Field(False, description="Not for care providers")
    risk_level_first: str = Field("", description="Not for care providers")
    risk_level_highest: str = Field("", description="Not for care providers")
    found_at: dt.datetime | None
    closed_at: dt.datetime | None
    closure_note: str = Field("", description="Police only")
    prevention_not_done_reason: str = Field("", description="Police only")
    updated_at: dt.datetime
    risk_assessments: list[RiskAssessmentOut] = Field(
        default_factory=list, description="Newest first. Police only"
    )

    @staticmethod
    def resolve_reported_by(obj: Episode) -> str | None:
        return obj.reported_by.display_name if obj.reported_by else None

    @staticmethod
    def resolve_reporting_person(obj: Episode) -> dict[str, Any]:
        return {
            "name": obj.reporting_person_name,
            "relationship": obj.reporting_person_relationship,
            "phone": obj.reporting_person_phone,
        }

    @staticmethod
    def resolve_risk_assessments(obj: Episode) -> Any:
        # Through the selector (ACC-1): for a partner it reads nothing, rather than rows then dropped.
        from homeward.episodes.selectors import risk_assessments_of

        return risk_assessments_of(episode=obj).order_by("-sequence")


class EpisodeListItemOut(Schema):
    """One dashboard row: the episode and the clocks the dashboard flags."""

    episode: EpisodeSummaryOut
    minutes_missing: int
    review_overdue: bool
    sign_off_pending: bool
    sign_off_overdue: bool
    new_high_risk: bool


class EpisodeListOut(Schema):
    count: int
    items: list[EpisodeListItemOut] = Field(description="Unassessed first, then highest risk, then longest")


class RiskAssessmentResultOut(Schema):
    risk_assessment: RiskAssessmentOut
    episode: EpisodeOut
