"""JSON shapes for person records. Output fields are listed one by one: nothing leaves by default."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeAlias

from django.utils import timezone
from ninja import Schema
from pydantic import Field, SerializerFunctionWrapHandler, model_serializer, model_validator
from pydantic_core import PydanticCustomError

from homeward.api_base import DistrictRef, OrganisationRef, StrictInput, one_of
from homeward.identity.sharing_rules import FieldLevel, all_fields, fields_allowed
from homeward.people.models import Ethnicity, MarkerType, OfficerEthnicity, Person, Sex

if TYPE_CHECKING:
    SexCode: TypeAlias = str
    EthnicityCode: TypeAlias = str
    OfficerEthnicityCode: TypeAlias = str
    MarkerCode: TypeAlias = str
else:
    SexCode = one_of(Sex.values)
    EthnicityCode = one_of(Ethnicity.values)
    OfficerEthnicityCode = one_of(OfficerEthnicity.values)
    MarkerCode = one_of(MarkerType.values)


# --- Input ------------------------------------------------------------------------------------------


class PersonSearchIn(StrictInput):
    """Find before create. Sent as a POST body so that names never appear in URLs or access logs."""

    given_name: str = Field("", max_length=100)
    family_name: str = Field("", max_length=100)
    birth_year: int | None = Field(None, ge=1900, le=2100)
    birth_month: int | None = Field(None, ge=1, le=12)
    birth_day: int | None = Field(None, ge=1, le=31)
    age: int | None = Field(
        None, ge=0, le=120, description="Approximate age, when the date of birth is unknown"
    )

    @model_validator(mode="after")
    def _name_and_real_date(self) -> PersonSearchIn:
        if not (self.given_name.strip() or self.family_name.strip()):
            raise PydanticCustomError("invalid_input", "Enter a first name or a last name to search for")
        if self.birth_day and self.birth_month and self.birth_year:
            try:
                dt.date(self.birth_year, self.birth_month, self.birth_day)
            except ValueError:
                raise PydanticCustomError("invalid_input", "Date of birth must be a real date") from None
        return self


class AliasIn(StrictInput):
    given_name: str = Field("", max_length=100)
    family_name: str = Field("", max_length=100)


class PersonCreateIn(StrictInput):
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    date_of_birth: dt.date | None = None
    estimated_age: int | None = Field(
        None, ge=0, le=120, description="Only when the date of birth is unknown"
    )
    sex: SexCode = "unknown"
    gender: str = Field("", max_length=60)
    ethnicity: EthnicityCode = "NS"
    officer_ethnicity: OfficerEthnicityCode = "X"
    height_cm: int | None = Field(None, ge=40, le=250)
    build: str = Field("", max_length=60)
    hair: str = Field("", max_length=100)
    eyes: str = Field("", max_length=60)
    facial_hair: str = Field("", max_length=100)
    glasses: str = Field("", max_length=100)
    marks: str = Field("", max_length=2000)
    first_language: str = Field("", max_length=60)
    looked_after: bool = False
    placing_authority_id: int | None = Field(None, description="A local authority; required if looked after")
    home_district_id: int | None = None
    aliases: list[AliasIn] = Field(default_factory=list, max_length=20)
    markers: list[MarkerCode] = Field(default_factory=list, max_length=len(MarkerType.values))
    supplied_by: str = Field(
        min_length=1, max_length=200, description="Who gave these details, e.g. the reporting carer"
    )

    @model_validator(mode="after")
    def _dob_or_estimate(self) -> PersonCreateIn:
        if self.date_of_birth and self.estimated_age is not None:
            raise PydanticCustomError("invalid_input", "Give a date of birth or an estimated age, not both")
        return self


# --- Output -----------------------------------------------------------------------------------------


class PersonSummaryOut(Schema):
    id: int
    given_name: str
    family_name: str
    full_name: str
    date_of_birth: dt.date | None
    estimated_age: int | None
    age: int | None = Field(description="Age today, from the date of birth or the estimate")
    sex: str
    looked_after: bool

    @staticmethod
    def resolve_age(obj: Person) -> int | None:
        return obj.age_on(timezone.localdate())


class CandidateOut(Schema):
    person: PersonSummaryOut
    score: float
    reasons: list[str]


class SearchResultsOut(Schema):
    candidates: list[CandidateOut]


class AliasOut(Schema):
    given_name: str
    family_name: str
    is_nickname: bool


class MarkerOut(Schema):
    marker: str
    detail: str
    active: bool


def withheld_from(obj: object, record_type: str, keys: set[str]) -> list[str]:
    """The output keys the reader's sharing rule withholds (homeward/identity/sharing_rules.py).

    The selectors set `shown_fields` on every record they return; a record that arrives without it
    (not read through a selector) is shown at the least level, never more.
    """
    shown = getattr(obj, "shown_fields", None)
    if shown is None:
        shown = fields_allowed(FieldLevel.CARER, record_type)
    return sorted((keys & all_fields(record_type)) - shown)


class WithholdsFields(Schema):
    """An output whose keys follow the reader's sharing rule: withheld keys are left out, and named."""

    withheld_fields: list[str] = Field(
        default_factory=list,
        description="Fields left out of this record under the sharing rule of your organisation",
    )

    # No return annotation on purpose: pydantic then describes the output by the fields themselves in
    # the OpenAPI spec (an annotated dict would turn it into a free-form object). Fields that may be
    # withheld have defaults, so the spec does not call them required.
    @model_serializer(mode="wrap")
    def _leave_out_withheld(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        data: dict[str, Any] = handler(self)
        for key in self.withheld_fields:
            data.pop(key, None)
        return data


class PersonOut(PersonSummaryOut, WithholdsFields):
    placing_authority: OrganisationRef | None
    gender: str
    ethnicity: str
    officer_ethnicity: str
    height_cm: int | None
    build: str
    hair: str
    eyes: str
    facial_hair: str
    glasses: str
    marks: str
    first_language: str
    home_district: DistrictRef | None
    aliases: list[AliasOut]
    markers: list[MarkerOut] = Field(default_factory=list, description="Withheld from care providers")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    merged_into_id: int | None = Field(
        None, description="Set when this record was merged into another: that record holds everything now"
    )

    @staticmethod
    def resolve_withheld_fields(obj: Person) -> list[str]:
        return withheld_from(obj, "person", set(PersonOut.model_fields))

    # Related rows through the selectors (ACC-1), which read nothing the reader's level withholds.
    @staticmethod
    def resolve_aliases(obj: Person) -> Any:
        from homeward.people.selectors import aliases_of

        return aliases_of(person=obj)

    @staticmethod
    def resolve_markers(obj: Person) -> Any:
        from homeward.people.selectors import markers_of

        return markers_of(person=obj)
