"""Episodes over JSON: report, read, list, grade risk, sign off, record found, close.

Each write names the episode version the caller read (`expected_version`); the action writes only if it
is still current, otherwise 409 with what changed meanwhile. Same actions and selectors as the pages.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Status

from homeward.api_base import READ_ERRORS, WRITE_ERRORS, actor_of, body_paths, require
from homeward.episodes import actions, selectors
from homeward.episodes.models import Episode, RiskAssessment
from homeward.episodes.schemas import (
    CloseIn,
    EpisodeListOut,
    EpisodeOut,
    FoundIn,
    OpenStatus,
    ReportIn,
    RiskAssessmentResultOut,
    RiskIn,
    SignOffIn,
)
from homeward.errors import InvalidInput
from homeward.identity.models import District, User
from homeward.identity.roles import Capability
from homeward.people.selectors import person_for
from homeward.places.models import Location
from homeward.places.selectors import location_for

router = Router(tags=["episodes"])

# Where the actions' field names live in the request bodies.
REPORT_PATHS = {
    "person": "person_id",
    "missing_from": "missing_from_id",
    "reporting_person_name": "reporting_person.name",
    "reporting_person_relationship": "reporting_person.relationship",
    "reporting_person_phone": "reporting_person.phone",
    "q_*": "call_handler_answers.*",
}
RISK_PATHS = {"f_*": "factors.*"}


@router.post(
    "",
    response={201: EpisodeOut, **WRITE_ERRORS},
    url_name="episode_report",
    summary="Report someone missing",
)
def report(request: HttpRequest, payload: ReportIn) -> Status[Episode]:
    """Record a missing report. The episode starts `reported` until its first risk assessment."""
    actor = actor_of(request)
    require(actor, Capability.REPORT)
    person = _reference(lambda: person_for(actor=actor, pk=payload.person_id, log=False), "person_id")
    data = actions.ReportData(
        district=_district(actor, payload.district_id),
        missing_from=_location(actor, payload.missing_from_id, "missing_from_id"),
        missing_from_address=payload.missing_from_address,
        missing_from_category=payload.missing_from_category or "",
        reporting_person_name=payload.reporting_person.name,
        reporting_person_relationship=payload.reporting_person.relationship,
        reporting_person_phone=payload.reporting_person.phone,
        last_seen_at=payload.last_seen_at,
        last_seen_place=payload.last_seen_place,
        last_seen_with=payload.last_seen_with,
        clothing=payload.clothing,
        circumstances=payload.circumstances,
        call_handler_answers={k: v.model_dump() for k, v in payload.call_handler_answers.items()},
        reasonable_steps=payload.reasonable_steps,
    )
    with body_paths(REPORT_PATHS):
        episode = actions.episode_report(actor=actor, person=person, data=data)
    return Status(201, _reread(actor, episode))


@router.get(
    "", response={200: EpisodeListOut, **READ_ERRORS}, url_name="episode_list", summary="List open episodes"
)
def active_list(
    request: HttpRequest, status: Query[OpenStatus] = "open", district_id: int | None = None
) -> dict[str, Any]:
    """Every open episode the caller may see, most urgent first: the dashboard, as data."""
    actor = actor_of(request)
    district = None
    if district_id is not None:
        district = selectors.districts_for(actor=actor).filter(pk=district_id).first()
        if district is None:
            raise Http404("No such district")
    rows = selectors.episodes_active_for(actor=actor, district=district)
    return {"count": len(rows), "items": rows}


@router.get(
    "/{int:episode_id}",
    response={200: EpisodeOut, **READ_ERRORS},
    url_name="episode_detail",
    summary="Read an episode",
)
def detail(request: HttpRequest, episode_id: int) -> Episode:
    return selectors.episode_for(actor=actor_of(request), pk=episode_id)


@router.post(
    "/{int:episode_id}/risk-assessments",
    response={201: RiskAssessmentResultOut, **WRITE_ERRORS},
    url_name="risk_assessment_record",
    summary="Grade (or regrade) the risk",
)
def risk_assess(request: HttpRequest, episode_id: int, payload: RiskIn) -> Status[dict[str, Any]]:
    """Each grading is a new assessment; the first one makes a reported episode active."""
    actor = actor_of(request)
    require(actor, Capability.ASSESS_RISK)
    episode = selectors.episode_for(actor=actor, pk=episode_id, log=False)
    data = actions.RiskData(
        level=payload.level,
        rationale=payload.rationale,
        factors=dict(payload.factors),
        systems_checked=[row.model_dump() for row in payload.systems_checked],
    )
    with body_paths(RISK_PATHS):
        assessment = actions.risk_assessment_record(
            actor=actor, episode=episode, expected_version=payload.expected_version, data=data
        )
    return Status(201, {"risk_assessment": assessment, "episode": _reread(actor, episode)})


@router.post(
    "/{int:episode_id}/risk-assessments/{int:assessment_id}/sign-off",
    response={200: RiskAssessmentResultOut, **WRITE_ERRORS},
    url_name="risk_assessment_sign_off",
    summary="Sign off the latest risk assessment",
)
def risk_sign_off(
    request: HttpRequest, episode_id: int, assessment_id: int, payload: SignOffIn
) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, Capability.SIGN_OFF)
    episode = selectors.episode_for(actor=actor, pk=episode_id, log=False)
    assessment = _assessment_of(actor, episode, assessment_id)
    assessment = actions.risk_assessment_sign_off(
        actor=actor,
        assessment=assessment,
        expected_version=payload.expected_version,
        note=payload.note,
        next_review_due=payload.next_review_due,
    )
    return {"risk_assessment": assessment, "episode": _reread(actor, episode)}


@router.post(
    "/{int:episode_id}/found",
    response={200: EpisodeOut, **WRITE_ERRORS},
    url_name="episode_found",
    summary="Record found",
)
def found(request: HttpRequest, episode_id: int, payload: FoundIn) -> Episode:
    actor = actor_of(request)
    require(actor, Capability.RECORD_FOUND)
    episode = selectors.episode_for(actor=actor, pk=episode_id, log=False)
    data = actions.FoundData(
        found_at=payload.found_at,
        found_place=payload.found_place,
        found_location=_location(actor, payload.found_location_id, "found_location_id"),
        found_location_category=payload.found_location_category,
        how_found=payload.how_found,
        condition=payload.condition,
        harm_details=payload.harm_details,
        victim_of_offence=payload.victim_of_offence,
        suspect_of_offence=payload.suspect_of_offence,
        exploitation_indicators=list(payload.exploitation_indicators),
        where_been=payload.where_been,
        with_whom=payload.with_whom,
        withhold_whereabouts=payload.withhold_whereabouts,
    )
    episode = actions.episode_mark_found(
        actor=actor, episode=episode, expected_version=payload.expected_version, data=data
    )
    return _reread(actor, episode)


@router.post(
    "/{int:episode_id}/close",
    response={200: EpisodeOut, **WRITE_ERRORS},
    url_name="episode_close",
    summary="Close an episode",
)
def close(request: HttpRequest, episode_id: int, payload: CloseIn) -> Episode:
    """Supervisor closure of a found episode: needs the prevention interview, or why it was not done."""
    actor = actor_of(request)
    require(actor, Capability.CLOSE)
    episode = selectors.episode_for(actor=actor, pk=episode_id, log=False)
    episode = actions.episode_close(
        actor=actor,
        episode=episode,
        expected_version=payload.expected_version,
        note=payload.note,
        prevention_not_done_reason=payload.prevention_not_done_reason,
    )
    return _reread(actor, episode)


# --- Lookups of records the body refers to --------------------------------------------------------
# A reference the caller may not see is refused exactly like one that does not exist. It is the body
# that is wrong, not the URL, so the refusal is a 422 pointing at the field rather than a 404.


def _reference(lookup: Any, field: str) -> Any:
    try:
        return lookup()
    except Http404:
        raise InvalidInput({field: "No such record, or not one you can see"}) from None


def _district(actor: User, pk: int) -> District:
    district = selectors.districts_for(actor=actor).filter(pk=pk).first()
    if district is None:
        raise InvalidInput({"district_id": "No such district in your force"})
    return district


def _location(actor: User, pk: int | None, field: str) -> Location | None:
    if pk is None:
        return None
    location: Location = _reference(lambda: location_for(actor=actor, pk=pk), field)
    return location


def _assessment_of(actor: User, episode: Episode, pk: int) -> RiskAssessment:
    assessment = selectors.risk_assessment_for(actor=actor, pk=pk)
    if assessment.episode_id != episode.pk:
        raise Http404("No such risk assessment on this episode")
    # The selector's own copy of the episode is a separate instance; use the one already checked.
    assessment.episode = episode
    return assessment


def _reread(actor: User, episode: Episode) -> Episode:
    """The episode as it now stands, for the response (not logged again: the write was audited)."""
    return selectors.episode_for(actor=actor, pk=episode.pk, log=False)
