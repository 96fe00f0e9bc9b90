"""Reads of protocol profiles, scoped to who may see them and logged as consultations.

Who sees a profile (SPEC §5; domain research §2: "the police do not hold it"):
- the organisation holding it, through its keepers (care, health and children's social care staff);
- the police force the person belongs to, for officers and call handlers who work cases (sharing
  basis FORCE_ALL);
- the local authority that placed the child (sharing basis PLACING_AUTHORITY).
Everyone else gets the same 404 as for a profile that does not exist. A draft part 2 stays with its
holder until it is submitted.

Which parts each reader sees is `homeward.identity.sharing_rules` (record types "profile" and
"profile_report"): every profile and part 2 returned here carries `shown_fields`; the organisation
holding the profile (and the one that wrote a part 2) sees all of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from homeward.audit.log import audit_consultation
from homeward.episodes.models import OPEN_STATUSES, Episode
from homeward.episodes.sharing import bases_for
from homeward.identity.models import Organisation, OrganisationKind, User
from homeward.identity.roles import Capability, Role
from homeward.identity.sharing_rules import Basis, shown_fields_for
from homeward.people.models import Person, PersonAddress, PersonPhoto
from homeward.people.search import Candidate, SearchQuery, people_search
from homeward.people.selectors import people_visible_to
from homeward.protocols.models import (
    OPEN_REPORT_STATUSES,
    ProfileEvent,
    ProfileMissingReport,
    ProtocolProfile,
    ReportStatus,
)

NOTHING = Q(pk__in=[])

# Roles that keep profiles for the people their organisation looks after. No capability in
# identity.roles describes "keep a pre-registration form", so the role itself is the test here.
KEEPER_ROLES = frozenset({Role.CARE_STAFF, Role.HEALTH_STAFF, Role.CSC_MISSING_OFFICER})
# Organisations that may hold a profile (the police never do).
HOLDER_KINDS = frozenset(
    {OrganisationKind.CARE_PROVIDER, OrganisationKind.NHS_TRUST, OrganisationKind.LOCAL_AUTHORITY}
)


def _org(actor: User) -> Organisation | None:
    org = actor.organisation
    if org is None or not actor.is_active or not actor.can(Capability.VIEW_CASES):
        return None
    return org


def is_keeper(actor: User) -> bool:
    org = _org(actor)
    return org is not None and org.kind in HOLDER_KINDS and actor.role in KEEPER_ROLES


def is_police_caseworker(actor: User) -> bool:
    """Police who take reports or investigate; analysts and auditors do not need the forms."""
    org = _org(actor)
    return (
        org is not None
        and org.kind == OrganisationKind.POLICE_FORCE
        and (actor.can(Capability.REPORT) or actor.can(Capability.INVESTIGATE))
    )


def keeps(actor: User, profile: ProtocolProfile) -> bool:
    """Whether the actor may change this profile: a keeper of the organisation holding it."""
    return is_keeper(actor) and profile.holder_id is not None and profile.holder_id == actor.organisation_id


def may_transfer(actor: User, profile: ProtocolProfile) -> bool:
    """The holder hands the form on; the placing authority, which arranges placements, may move it too."""
    if keeps(actor, profile):
        return True
    return bool(
        _org(actor) is not None
        and profile.person.placing_authority_id
        and profile.person.placing_authority_id == actor.organisation_id
    )


def profile_visibility(actor: User) -> Q:
    """Holding a profile is its own reason to see it; the police and placing authorities see profiles
    through the same data-driven sharing bases as episodes (FORCE_ALL, PLACING_AUTHORITY)."""
    org = _org(actor)
    if org is None:
        return NOTHING
    bases = bases_for(org)
    rule = NOTHING
    if Basis.FORCE_ALL in bases and is_police_caseworker(actor):
        # The police do not hold these forms (national Philomena/Herbert practice): they see one only
        # while the person is missing, or once the carer has sent a part 2.
        # Subqueries, not joins: a person with several episodes must not list their profile twice.
        missing_now = Q(
            person_id__in=Episode.objects.filter(force_id=org.pk, status__in=OPEN_STATUSES).values(
                "person_id"
            )
        )
        sent = Q(
            pk__in=ProfileMissingReport.objects.filter(
                status__in=[ReportStatus.SUBMITTED, ReportStatus.LINKED]
            ).values("profile_id")
        )
        rule = rule | (Q(person__force_id=org.pk) & (missing_now | sent))
    if Basis.PLACING_AUTHORITY in bases:
        rule = rule | Q(person__placing_authority_id=org.pk)
    if is_keeper(actor):
        rule = rule | Q(holder_id=org.pk)
    return rule


def report_visibility(actor: User) -> Q:
    """Part 2 reports: the holder sees its drafts; the others only once submitted."""
    org = _org(actor)
    if org is None:
        return NOTHING
    bases = bases_for(org)
    shared = ~Q(status=ReportStatus.DRAFT)
    rule = NOTHING
    if Basis.FORCE_ALL in bases and is_police_caseworker(actor):
        rule = rule | (Q(profile__person__force_id=org.pk) & shared)
    if Basis.PLACING_AUTHORITY in bases:
        rule = rule | (Q(profile__person__placing_authority_id=org.pk) & shared)
    if is_keeper(actor):
        rule = rule | Q(profile__holder_id=org.pk)
    return rule


def can_see_profiles(actor: User) -> bool:
    """Whether any profile could be shared with the actor (menus and panels; the rows are scoped above)."""
    org = _org(actor)
    if org is None:
        return False
    return is_police_caseworker(actor) or is_keeper(actor) or Basis.PLACING_AUTHORITY in bases_for(org)


# --- Staleness ------------------------------------------------------------------------------------


def photo_stale_days() -> int:
    return int(getattr(settings, "HOMEWARD_PROFILE_PHOTO_STALE_DAYS", 180))


def review_days() -> int:
    return int(getattr(settings, "HOMEWARD_PROFILE_REVIEW_DAYS", 90))


@dataclass
class ProfileRow:
    """A profile with what a reader needs beside it: the photo shown and why it may be out of date."""

    profile: ProtocolProfile
    photo: PersonPhoto | None
    photo_age_days: int | None
    photo_stale: bool
    review_overdue: bool
    warnings: list[str] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        return self.photo_stale or self.review_overdue


def effective_photo(profile: ProtocolProfile) -> PersonPhoto | None:
    """The photo the holder chose, else the person's most recent one (photos are newest first)."""
    if profile.photo_id and profile.photo is not None and profile.photo.person_id == profile.person_id:
        return profile.photo
    photos = list(profile.person.photos.all()[:1])
    return photos[0] if photos else None


def profile_row(profile: ProtocolProfile, today: dt.date | None = None) -> ProfileRow:
    today = today or timezone.localdate()
    photo = effective_photo(profile)
    warnings: list[str] = []
    photo_days = photo_stale_days()
    age = (today - photo.taken_on).days if photo is not None else None
    photo_stale = age is None or age > photo_days
    if photo is None:
        warnings.append("No photo on the profile: add a recent one")
    elif photo_stale:
        warnings.append(
            f"Photo is {age} days old (taken {photo.taken_on:%d %b %Y}); "
            f"photos older than {photo_days} days need replacing"
        )
    limit = review_days()
    reviewed = profile.last_reviewed_on
    review_overdue = reviewed is None or (today - reviewed).days > limit
    if reviewed is None:
        warnings.append("Never reviewed: check every section is current")
    elif review_overdue:
        warnings.append(f"Review overdue: last reviewed {reviewed:%d %b %Y}, more than {limit} days ago")
    return ProfileRow(
        profile=profile,
        photo=photo,
        photo_age_days=age,
        photo_stale=photo_stale,
        review_overdue=review_overdue,
        warnings=warnings,
    )


# --- Which parts a reader sees ---------------------------------------------------------------------


def with_profile_fields(actor: User, profile: ProtocolProfile) -> ProtocolProfile:
    """Attach the fields of the profile the actor may see: all of it for its holder."""
    profile.shown_fields = shown_fields_for(
        actor, "profile", force_id=profile.person.force_id, owner_ids=[profile.holder_id]
    )
    return profile


def with_report_fields(actor: User, report: ProfileMissingReport) -> ProfileMissingReport:
    """Attach the fields of a part 2 the actor may see: all of it for who wrote it and the holder."""
    report.shown_fields = shown_fields_for(
        actor,
        "profile_report",
        force_id=report.profile.person.force_id,
        owner_ids=[report.reporting_org_id, report.profile.holder_id],
    )
    with_profile_fields(actor, report.profile)
    return report


# --- Profiles -------------------------------------------------------------------------------------


def profiles_visible_to(actor: User) -> QuerySet[ProtocolProfile]:
    return ProtocolProfile.objects.filter(profile_visibility(actor))


def _with_related(qs: QuerySet[ProtocolProfile]) -> QuerySet[ProtocolProfile]:
    return qs.select_related("person", "holder", "photo", "last_reviewed_by", "updated_by").prefetch_related(
        "person__photos"
    )


# Lists stop here; a name search narrows them (a force holds thousands of profiles).
LIST_LIMIT = 200


def _stale_q(today: dt.date) -> Q:
    """The staleness rule of profile_row, as a query (on a queryset annotated by _with_photo_date)."""
    photo_limit = today - dt.timedelta(days=photo_stale_days())
    review_limit = today - dt.timedelta(days=review_days())
    return (
        Q(photo_on__isnull=True)
        | Q(photo_on__lt=photo_limit)
        | Q(last_reviewed_on__isnull=True)
        | Q(last_reviewed_on__lt=review_limit)
    )


def _with_photo_date(qs: QuerySet[ProtocolProfile]) -> QuerySet[ProtocolProfile]:
    latest = PersonPhoto.objects.filter(person_id=OuterRef("person_id")).order_by("-taken_on", "-id")
    return qs.annotate(photo_on=Coalesce("photo__taken_on", Subquery(latest.values("taken_on")[:1])))


def profiles_for(
    *, actor: User, name: str = "", stale_only: bool = False, limit: int = LIST_LIMIT
) -> list[ProfileRow]:
    """Active profiles the actor may see, longest since review first, so what needs work is on top."""
    today = timezone.localdate()
    qs = _with_photo_date(_with_related(profiles_visible_to(actor).filter(active=True)))
    for token in name.split()[:4]:
        qs = qs.filter(Q(person__given_name__icontains=token) | Q(person__family_name__icontains=token))
    if stale_only:
        qs = qs.filter(_stale_q(today))
    qs = qs.order_by(F("last_reviewed_on").asc(nulls_first=True), "person__family_name", "pk")
    rows = [profile_row(with_profile_fields(actor, p), today) for p in qs[:limit]]
    audit_consultation(
        actor=actor,
        event_type="profile.listed",
        object_type="protocol_profile",
        object_ids=[r.profile.pk for r in rows],
    )
    return rows


def profile_for(*, actor: User, pk: int, log: bool = True) -> ProtocolProfile:
    profile = _with_related(profiles_visible_to(actor)).filter(pk=pk).first()
    if profile is None:
        raise Http404("No such profile")
    if log:
        audit_consultation(
            actor=actor, event_type="profile.viewed", object_type="protocol_profile", object_ids=[profile.pk]
        )
    return with_profile_fields(actor, profile)


def active_profile_for_person(*, actor: User, person: Person, log: bool = True) -> ProtocolProfile | None:
    profile = _with_related(profiles_visible_to(actor)).filter(person=person, active=True).first()
    if profile is None:
        return None
    if log:
        audit_consultation(
            actor=actor, event_type="profile.viewed", object_type="protocol_profile", object_ids=[profile.pk]
        )
    return with_profile_fields(actor, profile)


def profile_events_for(*, actor: User, profile: ProtocolProfile) -> list[ProfileEvent]:
    # The caller has already been given the profile by profile_for, which scoped and logged it.
    # The history names what changed in each section, so it is shown only with the whole profile.
    if "events" not in getattr(profile, "shown_fields", frozenset()):
        return []
    return list(profile.events.select_related("actor")[:100])


def profile_photo_for(*, actor: User, pk: int) -> PersonPhoto:
    profile = profile_for(actor=actor, pk=pk, log=False)
    photo = effective_photo(profile)
    if photo is None:
        raise Http404("No photo")
    audit_consultation(
        actor=actor, event_type="profile.photo_viewed", object_type="person", object_ids=[photo.person_id]
    )
    return photo


# --- Finding the person a new profile is for ----------------------------------------------------


def _residents_q(actor: User) -> Q:
    """People whose current address is at premises the actor's organisation runs: its residents.

    A care provider looks after them, so it may start their profile even before any episode has made
    the person visible to it through the shared person rules.
    """
    current_here = PersonAddress.objects.filter(
        until=None, location__provider_id=actor.organisation_id
    ).values("person_id")
    return Q(pk__in=current_here)


def people_for_new_profile(actor: User) -> QuerySet[Person]:
    if not is_keeper(actor):
        return Person.objects.none()
    return Person.objects.filter(Q(pk__in=people_visible_to(actor).values("pk")) | _residents_q(actor))


def residents_without_profile(*, actor: User) -> list[Person]:
    if not is_keeper(actor):
        return []
    people = list(
        Person.objects.filter(_residents_q(actor))
        .exclude(protocol_profiles__active=True)
        .order_by("family_name", "given_name")[:LIST_LIMIT]
    )
    audit_consultation(
        actor=actor,
        event_type="person.residents_listed",
        object_type="person",
        object_ids=[p.pk for p in people],
    )
    return people


def people_search_for_profile(*, actor: User, query: SearchQuery, limit: int = 10) -> list[Candidate]:
    candidates = people_search(query, people_for_new_profile(actor), limit=limit)
    audit_consultation(
        actor=actor,
        event_type="person.searched",
        object_type="person",
        object_ids=[c.person.pk for c in candidates],
    )
    return candidates


def person_for_new_profile(*, actor: User, pk: int) -> Person:
    person = people_for_new_profile(actor).select_related("placing_authority").filter(pk=pk).first()
    if person is None:
        raise Http404("No such person")
    audit_consultation(actor=actor, event_type="person.viewed", object_type="person", object_ids=[person.pk])
    return person


def current_placement(person: Person) -> PersonAddress | None:
    return person.addresses.filter(until=None).select_related("location").first()


# --- Part 2 reports -------------------------------------------------------------------------------


def reports_visible_to(actor: User) -> QuerySet[ProfileMissingReport]:
    return ProfileMissingReport.objects.filter(report_visibility(actor)).select_related(
        "profile", "profile__person", "profile__holder", "reporting_org", "missing_from", "episode"
    )


def _with_fields(actor: User, reports: list[ProfileMissingReport]) -> list[ProfileMissingReport]:
    return [with_report_fields(actor, r) for r in reports]


def report_for(*, actor: User, pk: int) -> ProfileMissingReport:
    report = reports_visible_to(actor).filter(pk=pk).first()
    if report is None:
        raise Http404("No such report")
    audit_consultation(
        actor=actor, event_type="profile_report.viewed", object_type="profile_report", object_ids=[report.pk]
    )
    return with_report_fields(actor, report)


def reports_for_profile(*, actor: User, profile: ProtocolProfile) -> list[ProfileMissingReport]:
    # The list is a part of the profile: shown to those who see the profile's "reports".
    if "reports" not in getattr(profile, "shown_fields", frozenset()):
        return []
    return _with_fields(
        actor, list(reports_visible_to(actor).filter(profile=profile).order_by("-created_at"))
    )


def open_report_for_profile(*, actor: User, profile: ProtocolProfile) -> ProfileMissingReport | None:
    report = reports_visible_to(actor).filter(profile=profile, status__in=OPEN_REPORT_STATUSES).first()
    return with_report_fields(actor, report) if report is not None else None


def reports_submitted_for(*, actor: User) -> list[ProfileMissingReport]:
    """The police queue: part 2 reports waiting for a police report, oldest first."""
    if not (is_police_caseworker(actor) and actor.can(Capability.REPORT)):
        return []
    reports = list(reports_visible_to(actor).filter(status=ReportStatus.SUBMITTED).order_by("submitted_at"))
    audit_consultation(
        actor=actor,
        event_type="profile_report.listed",
        object_type="profile_report",
        object_ids=[r.pk for r in reports],
    )
    return _with_fields(actor, reports)


def reports_for_episode(*, actor: User, episode: Episode) -> list[ProfileMissingReport]:
    """Part 2 linked to this episode, and any submitted for the person that no episode has taken yet."""
    reports = list(
        reports_visible_to(actor)
        .filter(Q(episode=episode) | Q(profile__person_id=episode.person_id, status=ReportStatus.SUBMITTED))
        .order_by("-submitted_at")
    )
    if reports:
        # Part 2 holds what the person wore and who they were with: showing it is a consultation.
        audit_consultation(
            actor=actor,
            event_type="profile_report.viewed",
            object_type="profile_report",
            object_ids=[r.pk for r in reports],
        )
    return _with_fields(actor, reports)
