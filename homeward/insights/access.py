"""Who may see which report pages (SPEC §2, §7). One rule, `report_access`; the views only apply it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from homeward.episodes.models import Episode
from homeward.episodes.sharing import episode_visibility, person_visibility
from homeward.identity.models import District, Organisation, OrganisationKind, User
from homeward.identity.roles import Role
from homeward.insights.base import id_chunks
from homeward.insights.weekly import WeeklyDatasets, weekly_datasets
from homeward.people.models import Person


class Report(StrEnum):
    WEEKLY = "weekly"  # person-level lists
    MEASURES = "measures"  # aggregates (with the rolling average)
    QUARTERLY = "quarterly"  # aggregates
    PROBLEM_PROFILE = "problem_profile"  # aggregates
    NATIONAL_RETURNS = "national_returns"  # the MPDR (aggregates) and the LAC return (child level)


AGGREGATE_REPORTS = frozenset({Report.MEASURES, Report.QUARTERLY, Report.PROBLEM_PROFILE})

# Police roles that see every report, person-level lists included, force-wide and per district.
FULL_ACCESS_ROLES = frozenset({Role.ANALYST, Role.MFH_COORDINATOR, Role.SUPERVISOR, Role.DETECTIVE_INSPECTOR})

# Counts from 1 to SUPPRESS_BELOW - 1 are hidden from those who must only see suppressed aggregates.
SUPPRESS_BELOW = 5


@dataclass(frozen=True)
class ReportAccess:
    allowed: bool
    # Weekly lists only: keep only rows the user's organisation may see under the sharing rules.
    shared_rows_only: bool = False
    # The districts the user may choose; `force_wide` says whether "all districts" is allowed too.
    # A lazy queryset: deciding whether a report is allowed runs no query.
    districts: QuerySet[District] = field(default_factory=District.objects.none)
    force_wide: bool = False
    # Show counts of 1–4 as "fewer than 5" (blank in downloads).
    suppress_small_counts: bool = False
    # National returns only: whether the force's missing persons data return may be chosen, and the
    # local authorities whose looked-after children missing return may be.
    force_return: bool = False
    authorities: QuerySet[Organisation] = field(default_factory=Organisation.objects.none)
    # Rows without identities: person ids replaced by a keyed hash, names omitted (dataprotection.pseudonym).
    pseudonymise: bool = False


DENIED = ReportAccess(allowed=False)


def report_access(user: User, report: Report) -> ReportAccess:
    """What `user` may see of `report`.

    - Police analysts, MFH coordinators, supervisors and detective inspectors: every report, force-wide
      or for any district of their force, the weekly person lists in full.
    - Children's social care missing officers: the weekly lists (any district of the force their council
      works with, or force-wide) with only the rows whose episode — and, for the most-frequent lists, the
      person and their latest episode — their organisation may see under the sharing rules
      (episodes.sharing); the aggregate reports (measures, rolling average, quarterly) only for the
      district(s) whose council they are, never force-wide.
    - The commissioner's office: the aggregate reports only (measures, rolling average, quarterly,
      problem profile), force-wide or per district, with counts from 1 to 4 suppressed; never the weekly
      person lists nor the national returns.
    - National returns: see _national_returns_access (analysts and MFH coordinators; a council missing
      officer its own looked-after children return only).
    - The national returns: see `_national_returns_access`.
    - Everyone else (call handlers, officers, auditors, administrators, RHI, voluntary, care and health
      staff), and inactive users or users without an organisation: nothing.
    """
    org = user.organisation if user.is_active else None
    if org is None:
        return DENIED
    force_districts = (
        District.objects.filter(force_id=org.force_id).order_by("name")
        if org.force_id
        else District.objects.none()
    )
    if report is Report.NATIONAL_RETURNS:
        return _national_returns_access(user, org)
    if user.role == Role.ANALYST and not org.is_police:
        return _partner_analyst_access(org, report, force_districts)
    if user.role in FULL_ACCESS_ROLES:
        return ReportAccess(allowed=True, districts=force_districts, force_wide=True)
    if user.role == Role.CSC_MISSING_OFFICER:
        if report is Report.WEEKLY:
            return ReportAccess(
                allowed=True, shared_rows_only=True, districts=force_districts, force_wide=True
            )
        own = District.objects.filter(council_id=org.pk).order_by("name")
        return ReportAccess(allowed=True, districts=own, force_wide=False)
    if user.role == Role.COMMISSIONER and report in AGGREGATE_REPORTS:
        return ReportAccess(
            allowed=True, districts=force_districts, force_wide=True, suppress_small_counts=True
        )
    return DENIED


def _partner_analyst_access(
    org: Organisation, report: Report, force_districts: QuerySet[District]
) -> ReportAccess:
    """A partner's analyst (SPEC §2: "pseudonymised where the role allows"): the weekly lists cut to the
    rows the partner may see, pseudonymised; the aggregate reports for the partner's own council
    district(s) only, as for a council missing officer; never the national returns."""
    if report is Report.WEEKLY:
        return ReportAccess(
            allowed=True, shared_rows_only=True, districts=force_districts, force_wide=True, pseudonymise=True
        )
    if report in AGGREGATE_REPORTS:
        return ReportAccess(
            allowed=True, districts=District.objects.filter(council_id=org.pk).order_by("name")
        )
    return DENIED


def _national_returns_access(user: User, org: Organisation) -> ReportAccess:
    """The national returns: police analysts and MFH coordinators may produce the force's missing persons
    data return and the looked-after children return for any local authority; a children's social care
    missing officer only the looked-after children return of its own council; nobody else anything."""
    if user.role in (Role.ANALYST, Role.MFH_COORDINATOR) and org.is_police:
        councils = Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).order_by("name")
        return ReportAccess(allowed=True, force_return=True, authorities=councils)
    if user.role == Role.CSC_MISSING_OFFICER and org.kind == OrganisationKind.LOCAL_AUTHORITY:
        return ReportAccess(allowed=True, authorities=Organisation.objects.filter(pk=org.pk))
    return DENIED


def allowed_reports(user: User) -> list[Report]:
    return [report for report in Report if report_access(user, report).allowed]


def weekly_datasets_for(
    user: User, access: ReportAccess, as_of: dt.date, district: District | None
) -> WeeklyDatasets:
    """The weekly datasets as `user` may see them: the page and the Monday delivery both use this.

    For a partner (access.shared_rows_only) the most-frequent counts and latest episodes come from the
    episodes it may see, and then every list is cut to the rows it may see: episode rows whose episode
    is visible; most-frequent rows whose person and latest episode are both visible, re-ranked.
    """
    if not access.shared_rows_only:
        return _pseudonymised_if(access, weekly_datasets(as_of, district))
    data = weekly_datasets(as_of, district, episode_visibility(user))
    episode_ids = {
        getattr(row, "episode_id", None) or row.latest_episode_id
        for rows in data.lists.values()
        for row in rows
    }
    visible_episodes: set[int] = set()
    for chunk in id_chunks(episode_ids):
        visible_episodes |= set(
            Episode.objects.filter(episode_visibility(user), pk__in=chunk).values_list("pk", flat=True)
        )
    visible_people: set[int] = set()
    for chunk in id_chunks(data.person_ids()):
        visible_people |= set(
            Person.objects.filter(person_visibility(user), pk__in=chunk).values_list("pk", flat=True)
        )
    lists: dict[str, list[Any]] = {}
    for key, rows in data.lists.items():
        if key.startswith("most_frequent"):
            kept = [
                r for r in rows if r.person_id in visible_people and r.latest_episode_id in visible_episodes
            ]
            lists[key] = [replace(r, rank=i) for i, r in enumerate(kept, start=1)]
        else:
            lists[key] = [r for r in rows if r.episode_id in visible_episodes]
    return _pseudonymised_if(access, replace(data, lists=lists))


def _pseudonymised_if(access: ReportAccess, data: WeeklyDatasets) -> WeeklyDatasets:
    from homeward.dataprotection.pseudonym import pseudonymise_weekly

    return pseudonymise_weekly(data) if access.pseudonymise else data
