"""Person records over JSON: find before create, read one, create one. Same selectors and action as the pages."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from homeward.api_base import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    ValidationErrorOut,
    actor_of,
    body_paths,
    require,
)
from homeward.episodes.selectors import districts_for
from homeward.errors import InvalidInput
from homeward.identity.models import District, Organisation, OrganisationKind, User
from homeward.identity.roles import Capability
from homeward.people.actions import PersonData, person_create
from homeward.people.models import Person
from homeward.people.schemas import PersonCreateIn, PersonOut, PersonSearchIn, SearchResultsOut
from homeward.people.search import SearchQuery
from homeward.people.selectors import people_search_for, person_for

router = Router(tags=["people"])

# Where the action's field names live in the request body.
CREATE_PATHS = {"placing_authority": "placing_authority_id", "home_district": "home_district_id"}


@router.post(
    "/search",
    url_name="person_search",
    response={200: SearchResultsOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Find people before creating one",
)
def search(request: HttpRequest, payload: PersonSearchIn) -> dict[str, object]:
    """Tolerant search over the people the caller may see, best match first. Logged as a consultation."""
    query = SearchQuery(
        given_name=payload.given_name,
        family_name=payload.family_name,
        birth_year=payload.birth_year,
        birth_month=payload.birth_month,
        birth_day=payload.birth_day,
        age=payload.age,
    )
    return {"candidates": people_search_for(actor=actor_of(request), query=query)}


@router.get(
    "/{int:person_id}",
    response={200: PersonOut, **READ_ERRORS},
    url_name="person_detail",
    summary="Read a person record",
)
def detail(request: HttpRequest, person_id: int) -> Person:
    return person_for(actor=actor_of(request), pk=person_id)


@router.post(
    "", response={201: PersonOut, **WRITE_ERRORS}, url_name="person_create", summary="Create a person record"
)
def create(request: HttpRequest, payload: PersonCreateIn) -> Status[Person]:
    """Search first: this always creates a new record. Each fact is recorded as supplied by `supplied_by`."""
    actor = actor_of(request)
    require(actor, Capability.CREATE_PERSON)
    data = PersonData(
        given_name=payload.given_name,
        family_name=payload.family_name,
        date_of_birth=payload.date_of_birth,
        estimated_age=payload.estimated_age,
        sex=payload.sex,
        gender=payload.gender,
        ethnicity=payload.ethnicity,
        officer_ethnicity=payload.officer_ethnicity,
        height_cm=payload.height_cm,
        build=payload.build,
        hair=payload.hair,
        eyes=payload.eyes,
        facial_hair=payload.facial_hair,
        glasses=payload.glasses,
        marks=payload.marks,
        first_language=payload.first_language,
        looked_after=payload.looked_after,
        placing_authority=_placing_authority(payload.placing_authority_id),
        home_district=_district(actor, payload.home_district_id),
        aliases=[(a.given_name, a.family_name) for a in payload.aliases],
        markers=list(payload.markers),
    )
    with body_paths(CREATE_PATHS):
        person = person_create(actor=actor, data=data, supplied_by=payload.supplied_by)
    return Status(201, person_for(actor=actor, pk=person.pk, log=False))


def _placing_authority(pk: int | None) -> Organisation | None:
    # Organisations are reference data, not casework: any local authority may be named, as on the page.
    if pk is None:
        return None
    org = Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY, pk=pk).first()
    if org is None:
        raise InvalidInput({"placing_authority_id": "No such local authority"})
    return org


def _district(actor: User, pk: int | None) -> District | None:
    if pk is None:
        return None
    district = districts_for(actor=actor).filter(pk=pk).first()
    if district is None:
        raise InvalidInput({"home_district_id": "No such district in your force"})
    return district
