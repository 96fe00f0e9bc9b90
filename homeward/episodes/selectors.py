"""Reads of episodes, scoped to what the actor's organisation may see and logged as consultations.

"Not yours" and "not there" raise the same Http404, so ids cannot be probed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from homeward.audit.log import audit_consultation
from homeward.chronology.entries import ChronologyEntry
from homeward.episodes import policy
from homeward.episodes.clocks import Overdue, overdue_clocks
from homeward.episodes.models import (
    OPEN_STATUSES,
    Clock,
    ClockAlert,
    Enquiry,
    Episode,
    EpisodeEvent,
    EpisodeUpdate,
    Escalation,
    EscalationStatus,
    FoundRecord,
    PreventionInterview,
    RiskAssessment,
    Sighting,
)
from homeward.episodes.patterns import Pattern, patterns_for
from homeward.episodes.sharing import episode_visibility
from homeward.identity.models import District, User
from homeward.identity.roles import Capability, Role
from homeward.identity.sharing_rules import part_shown, shown_fields_for
from homeward.people.models import Person


def episodes_visible_to(actor: User) -> QuerySet[Episode]:
    return Episode.objects.filter(episode_visibility(actor))


def episode_for(*, actor: User, pk: int, log: bool = True) -> Episode:
    episode = (
        episodes_visible_to(actor)
        .select_related("person", "district", "missing_from", "placing_authority", "reported_by", "closed_by")
        .filter(pk=pk)
        .first()
    )
    if episode is None:
        raise Http404("No such episode")
    episode.shown_fields = shown_fields_for(actor, "episode", force_id=episode.force_id)
    if log:
        audit_consultation(
            actor=actor, event_type="episode.viewed", object_type="episode", object_ids=[episode.pk]
        )
    return episode


def risk_assessment_for(*, actor: User, pk: int, episode: Episode | None = None) -> RiskAssessment:
    """An assessment the actor may see; when `episode` is given it must belong to that episode."""
    assessments = RiskAssessment.objects.filter(episode__in=episodes_visible_to(actor), pk=pk)
    if episode is not None:
        assessments = assessments.filter(episode=episode)
    assessment = assessments.select_related("episode").first()
    if assessment is None:
        raise Http404("No such risk assessment")
    return assessment


def enquiry_for(*, actor: User, pk: int) -> Enquiry:
    enquiry = (
        Enquiry.objects.filter(episode__in=episodes_visible_to(actor), pk=pk)
        .select_related("episode", "episode__person")
        .first()
    )
    if enquiry is None:
        raise Http404("No such action")
    audit_consultation(
        actor=actor, event_type="enquiry.viewed", object_type="episode", object_ids=[enquiry.episode_id]
    )
    return enquiry


WITHHELD = "Withheld at the person's request"


def prevention_interview_for(*, episode: Episode) -> PreventionInterview | None:
    """The episode's prevention interview. `episode` must come from a selector that scoped it to the
    actor (episode_for): the interview is shown to whoever may see its episode."""
    return PreventionInterview.objects.filter(episode=episode).first()


def latest_prevention_interview_among(*, episodes: list[Episode]) -> PreventionInterview | None:
    """The most recent prevention interview of `episodes`, which must come from a selector that scoped
    them to the actor (person_history_for): what the last interview said feeds the next risk grading."""
    return PreventionInterview.objects.filter(episode__in=episodes).order_by("-conducted_at").first()


def found_record_for(*, actor: User, episode: Episode) -> FoundRecord | None:
    """The found record as this actor may see it.

    An adult may ask that their whereabouts are not passed on (Article 8): then only the force that
    found them sees where they were; partners see that they were found and how, not where.
    """
    record = FoundRecord.objects.filter(episode=episode).first()
    if record is None or not record.withhold_whereabouts:
        return record
    org = actor.organisation
    if org is not None and org.is_police and org.pk == episode.force_id:
        return record
    record.found_place = WITHHELD
    record.found_location = None
    record.where_been = ""
    record.with_whom = ""
    return record


@dataclass
class DashboardRow:
    episode: Episode
    minutes_missing: int
    review_overdue: bool
    sign_off_pending: bool
    sign_off_overdue: bool
    new_high_risk: bool
    pattern: Pattern | None = None

    @property
    def risk_label(self) -> str:
        return policy.risk_label(self.episode.risk_level)


# A high-risk grading this recent is flagged as new on the dashboard.
NEW_HIGH_RISK_WINDOW = dt.timedelta(hours=1)


def episodes_active_for(*, actor: User, district: District | None = None) -> list[DashboardRow]:
    """The dashboard: every open episode the actor may see, most urgent first."""
    now = timezone.now()
    episodes = (
        episodes_visible_to(actor)
        .filter(status__in=OPEN_STATUSES)
        .select_related("person", "district", "missing_from")
        .prefetch_related(
            Prefetch(
                "risk_assessments",
                queryset=RiskAssessment.objects.order_by("-sequence").only(
                    "id", "episode_id", "sequence", "level", "assessed_at", "signed_off_at"
                ),
            )
        )
    )
    if district is not None:
        episodes = episodes.filter(district=district)
    rows = []
    for episode in episodes:
        latest = next(iter(episode.risk_assessments.all()), None)
        pending = latest is not None and latest.signed_off_at is None
        rows.append(
            DashboardRow(
                episode=episode,
                minutes_missing=int((now - episode.reported_at).total_seconds() // 60),
                review_overdue=bool(episode.next_review_due and episode.next_review_due < now),
                sign_off_pending=pending,
                sign_off_overdue=bool(pending and episode.sign_off_due and episode.sign_off_due < now),
                new_high_risk=bool(
                    latest is not None
                    and latest.level == "high"
                    and now - latest.assessed_at < NEW_HIGH_RISK_WINDOW
                ),
            )
        )
    patterns = patterns_for((r.episode for r in rows), actor=actor)
    for row in rows:
        row.pattern = patterns[row.episode.pk]
        row.episode.shown_fields = shown_fields_for(actor, "episode", force_id=row.episode.force_id)
    # Unassessed reports first, then by risk (highest first), then longest missing.
    rows.sort(
        key=lambda r: (
            r.episode.risk_level != "",
            -policy.risk_rank(r.episode.risk_level),
            -r.minutes_missing,
        )
    )
    audit_consultation(
        actor=actor,
        event_type="episode.listed",
        object_type="episode",
        object_ids=[r.episode.pk for r in rows],
    )
    return rows


def districts_for(*, actor: User) -> QuerySet[District]:
    force_id = actor.organisation.force_id if actor.organisation else None
    return District.objects.filter(force_id=force_id)


def escalations_for(*, actor: User, open_only: bool = True) -> list[Escalation]:
    """Appeals against decisions not to record, for a senior officer's queue (oldest first)."""
    escalations = Escalation.objects.filter(episode__in=episodes_visible_to(actor)).select_related(
        "episode", "episode__person", "episode__district", "episode__not_recorded_by"
    )
    if open_only:
        escalations = escalations.filter(status=EscalationStatus.OPEN)
    rows = list(escalations.order_by("raised_at")[:200])
    audit_consultation(
        actor=actor,
        event_type="escalation.listed",
        object_type="episode",
        object_ids=[e.episode_id for e in rows],
    )
    return rows


def escalation_for(*, actor: User, pk: int) -> Escalation:
    escalation = (
        Escalation.objects.filter(episode__in=episodes_visible_to(actor), pk=pk)
        .select_related("episode", "episode__person", "episode__not_recorded_by", "raised_by", "decided_by")
        .first()
    )
    if escalation is None:
        raise Http404("No such appeal")
    audit_consultation(
        actor=actor, event_type="escalation.viewed", object_type="episode", object_ids=[escalation.episode_id]
    )
    return escalation


@dataclass
class DashboardAlerts:
    carer_reports_waiting: int
    appeals_waiting: int


def dashboard_alerts_for(*, actor: User) -> DashboardAlerts:
    """Work waiting elsewhere that the dashboard must not let anyone miss. Counts only: no personal data."""
    from homeward.protocols.models import ReportStatus
    from homeward.protocols.selectors import reports_visible_to

    return DashboardAlerts(
        carer_reports_waiting=reports_visible_to(actor).filter(status=ReportStatus.SUBMITTED).count(),
        # Open appeals are few: check each one's episode (EXISTS) rather than list every visible episode.
        appeals_waiting=Escalation.objects.filter(status=EscalationStatus.OPEN)
        .filter(Exists(episodes_visible_to(actor).filter(pk=OuterRef("episode_id"))))
        .count(),
    )


@dataclass
class OverdueRow:
    """An overdue clock on the dashboard, with its escalation once the sweep has made it."""

    item: Overdue
    episode: Episode
    alert: ClockAlert | None
    may_acknowledge: bool

    @property
    def escalated_to(self) -> str:
        return ESCALATED_TO_LABELS.get(self.item.role, Role(self.item.role).label)


ESCALATED_TO_LABELS: dict[str, str] = {
    Role.SUPERVISOR: "Supervisors",
    Role.DETECTIVE_INSPECTOR: "Detective inspectors",
    Role.CSC_MISSING_OFFICER: "The service's manager",
}


def overdue_for(*, actor: User, now: dt.datetime | None = None) -> list[OverdueRow]:
    """Overdue clocks for the actor's dashboard, computed live so they show on the next poll.

    Police dashboard users see every overdue clock their force owns on the episodes they may see (a
    late return interview offer is the service's, and shows there, unless it had to come to the force);
    anyone else sees the unresolved alerts escalated to their organisation and role (a return interview
    service manager).
    """
    now = now or timezone.now()
    if actor.can(Capability.VIEW_DASHBOARD):
        items = [
            item
            for item in overdue_clocks(now=now, episodes=episodes_visible_to(actor))
            if item.organisation_id == actor.organisation_id
        ]
    elif actor.organisation_id and actor.is_active:
        alerts = ClockAlert.objects.filter(
            organisation_id=actor.organisation_id, role=actor.role, resolved_at__isnull=True
        )
        items = [Overdue(a.episode_id, a.clock, a.due_at, a.organisation_id, a.role) for a in alerts]
    else:
        items = []
    if not items:
        return []
    episode_ids = {i.episode_id for i in items}
    episodes = Episode.objects.select_related("person", "district").in_bulk(episode_ids)
    alerts_by_key = {
        (a.episode_id, a.clock, a.due_at): a
        for a in ClockAlert.objects.filter(episode_id__in=episode_ids).select_related("acknowledged_by")
    }
    rows = []
    for item in items:
        alert = alerts_by_key.get(item.key)
        rows.append(
            OverdueRow(
                item=item,
                episode=episodes[item.episode_id],
                alert=alert,
                may_acknowledge=bool(
                    alert is not None
                    and alert.acknowledged_at is None
                    and actor.organisation_id == alert.organisation_id
                    and actor.role == alert.role
                ),
            )
        )
    # What is escalated to the viewer's own role first, then the rest; oldest first within each.
    rows.sort(key=lambda r: (r.item.role != actor.role, r.item.due_at, r.item.episode_id))
    audit_consultation(
        actor=actor, event_type="clock.overdue_listed", object_type="episode", object_ids=sorted(episode_ids)
    )
    return rows


def overdue_summary(rows: list[OverdueRow]) -> list[tuple[str, int]]:
    """How many of each clock are overdue, in the order of SPEC §4, for the banner's first line."""
    counts = Counter(row.item.clock for row in rows)
    return [(label, counts[clock]) for clock, label in Clock.choices if counts[clock]]


def clock_alert_for(*, actor: User, pk: int) -> ClockAlert:
    """An alert escalated to the actor's organisation; 404 otherwise."""
    if actor.organisation_id is None or not actor.is_active:
        raise Http404("No such alert")
    alert = ClockAlert.objects.filter(pk=pk, organisation_id=actor.organisation_id).first()
    if alert is None:
        raise Http404("No such alert")
    return alert


def chronology_entries_for(*, actor: User, person: Person) -> list[ChronologyEntry]:
    """The episodes' part of a person's chronology (homeward.chronology): only episodes the actor may
    see; not logged here (the chronology page logs everything it shows, once)."""
    episodes = list(
        episodes_visible_to(actor)
        .filter(person=person)
        .select_related("force", "district", "missing_from", "prevention_interview")
        .prefetch_related("risk_assessments", "escalations")
    )
    entries: list[ChronologyEntry] = []
    for e in episodes:
        url = reverse("episode_detail", args=[e.pk])
        force = e.force.name
        where = e.missing_from.name if e.missing_from else (e.missing_from_address or e.missing_from_category)
        record = f"episodes.episode:{e.pk}"
        # A report in error stays in the chronology, marked: the chronology is the record of what each
        # agency recorded, corrections included; the counts built from it (repeat, patterns) leave it out.
        in_error = " (reported in error)" if e.reported_in_error_at else ""
        entries.append(
            ChronologyEntry(
                e.reported_at,
                "Reported missing",
                f"{e.reference}: missing from {where}{in_error}",
                force,
                record,
                url,
            )
        )
        if e.reported_in_error_at:
            entries.append(
                ChronologyEntry(
                    e.reported_in_error_at, "Marked as reported in error", e.reference, force, record, url
                )
            )
        for ra in e.risk_assessments.all():
            kind = "Risk graded" if ra.sequence == 1 else "Risk regraded"
            signed = " (signed off)" if ra.signed_off_at else ""
            entries.append(
                ChronologyEntry(
                    ra.assessed_at,
                    kind,
                    f"{e.reference}: {policy.risk_label(ra.level)} risk{signed}",
                    force,
                    f"episodes.riskassessment:{ra.pk}",
                    url,
                )
            )
        if e.not_recorded_at:
            entries.append(
                ChronologyEntry(e.not_recorded_at, "Not recorded as missing", e.reference, force, record, url)
            )
        for esc in e.escalations.all():
            entries.append(
                ChronologyEntry(
                    esc.raised_at,
                    "Appeal raised",
                    f"{e.reference}: by {esc.raised_by_name}",
                    force,
                    f"episodes.escalation:{esc.pk}",
                    url,
                )
            )
            if esc.decided_at:
                entries.append(
                    ChronologyEntry(
                        esc.decided_at,
                        "Appeal decided",
                        f"{e.reference}: {esc.get_status_display().lower()}",
                        force,
                        f"episodes.escalation:{esc.pk}",
                        url,
                    )
                )
        if e.mpu_notified_at:
            entries.append(
                ChronologyEntry(
                    e.mpu_notified_at, "Missing persons unit told", e.reference, force, record, url
                )
            )
        if e.found_at:
            found = "Found deceased" if e.status == "found_deceased" else "Found"
            entries.append(ChronologyEntry(e.found_at, found, e.reference, force, record, url))
        interview = getattr(e, "prevention_interview", None)
        if interview is not None:
            entries.append(
                ChronologyEntry(
                    interview.conducted_at,
                    "Prevention interview",
                    f"{e.reference}: {interview.get_outcome_display().lower()}",
                    force,
                    f"episodes.preventioninterview:{interview.pk}",
                    url,
                )
            )
        if e.closed_at:
            entries.append(ChronologyEntry(e.closed_at, "Episode closed", e.reference, force, record, url))
    return entries


# --- The parts of one episode, for its pages -----------------------------------------------------------
#
# Each takes an episode from episode_for: already scoped to the actor, its consultation logged once for
# the page, its `shown_fields` attached. A part the actor's field level withholds is not read at all
# (an empty queryset), so a template that forgot its `in episode.shown_fields` test still shows nothing.
# An episode without `shown_fields` did not come from a selector and gets no part.


def risk_assessments_of(*, episode: Episode) -> QuerySet[RiskAssessment]:
    rows = RiskAssessment.objects.filter(episode=episode).select_related("assessed_by", "signed_off_by")
    return part_shown(episode, "risk_assessments", rows)


def enquiries_of(*, episode: Episode) -> QuerySet[Enquiry]:
    return part_shown(episode, "enquiries", Enquiry.objects.filter(episode=episode).select_related("owner"))


def updates_of(*, episode: Episode) -> QuerySet[EpisodeUpdate]:
    rows = EpisodeUpdate.objects.filter(episode=episode).select_related("author")
    return part_shown(episode, "updates", rows)


def sightings_of(*, episode: Episode) -> QuerySet[Sighting]:
    return part_shown(episode, "sightings", Sighting.objects.filter(episode=episode))


def events_of(*, episode: Episode) -> QuerySet[EpisodeEvent]:
    return part_shown(episode, "events", EpisodeEvent.objects.filter(episode=episode).select_related("actor"))


def escalations_of(*, episode: Episode) -> list[Escalation]:
    """Appeals against not recording the episode. No field group withholds them: the partner who raised
    an appeal reads the decision on the episode page."""
    return list(Escalation.objects.filter(episode=episode).select_related("decided_by"))
