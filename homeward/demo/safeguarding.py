"""What a demo episode sets off in partner agencies: notifications and return home interviews.

In the application these rows are written by the episode actions through homeward.episodes.hooks:
notifications.services.notify_reported / notify_found on report and found, and
returns.services.refer_on_return on found. The generator never calls the actions, so it writes the
same rows itself, by the same rules:

- who is told: `recipients` is notifications.services.recipients_for in the generator's terms (the
  demo tests compare the two on loaded episodes). One row per (episode, organisation, event): "reported"
  for every episode, "found" to the same organisations for the reason they were told at report;
- a return home interview for every child found alive, referred to the force's return interview service,
  with the offer clock running from the found time. The steps after the referral (assigned, offered,
  outcome, findings proposed) carry the history rows and version numbers returns.actions writes.

Delivery and reading are modelled: the email worker sends within minutes, partners read in office hours,
so older notifications are read and the last days' are still unread. email_to is left empty: the demo
never emails anyone.

Everything here draws on its own random source, so adding it left the people and episodes of every seed
as they were. No audit events per row: the load writes one demo.loaded event.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings

from homeward.demo import config, names, texts
from homeward.episodes.models import EscalationStatus
from homeward.identity.roles import Role, outranks
from homeward.notifications.models import DeliveryStatus, Reason
from homeward.notifications.models import Event as NotificationEvent
from homeward.people.models import MarkerType
from homeward.returns.models import FindingKind, RhiOutcome, RhiStatus
from homeward.returns.services import offer_hours

if TYPE_CHECKING:
    from homeward.demo.generator import Table, World
    from homeward.identity.models import District, User

UTC = dt.UTC
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
# Partners' office hours, local time: when notifications are read and referrals allocated.
OFFICE_OPENS = 8 * 60 + 30
OFFICE_CLOSES = 18 * 60

OUTCOME_LABELS = dict(RhiOutcome.choices)
KIND_LABELS = dict(FindingKind.choices)
MARKER_LABELS = dict(MarkerType.choices)


def recipients(
    *,
    force_id: int,
    district: District,
    out_of_area: bool,
    placing_authority_id: int | None,
    is_child: bool | None,
    home_district: District | None,
    provider_id: int | None,
) -> dict[int, str]:
    """Organisation id → reason: notifications.services.recipients_for on the generator's data.

    The first, most specific, reason is kept; the force that owns the episode is never told.
    """
    found: dict[int, str] = {}

    def add(org_id: int | None, reason: str) -> None:
        if org_id is not None and org_id != force_id and org_id not in found:
            found[org_id] = reason

    host = district.council_id
    if out_of_area:
        add(placing_authority_id, Reason.OUT_OF_AREA_PLACING_AUTHORITY)
        add(host, Reason.OUT_OF_AREA_HOST_AUTHORITY)
    if is_child:
        add(host, Reason.CHILD_MISSING_CSC)
        add(home_district.council_id if home_district is not None else None, Reason.CHILD_HOME_AUTHORITY)
    if provider_id is not None:
        add(provider_id, Reason.MISSING_FROM_PROVIDER)
    return found


@dataclass(frozen=True)
class FoundFacts:
    found_at: dt.datetime
    recorded_at: dt.datetime  # when the found record was made: the hooks run then
    recorded_by: User
    deceased: bool
    where_been: str
    with_whom: str


@dataclass
class EpisodeFacts:
    """What the hooks would see of one episode."""

    episode_id: int
    district: District
    person_id: int
    person_markers: frozenset[str]
    recipients: dict[int, str]
    reported_at: dt.datetime
    reported_by: User
    is_child: bool | None
    placing_authority_id: int | None
    story: texts.Story
    found: FoundFacts | None = None
    # A decision not to record (then no found record): when, by whom, and the episode's final version.
    not_recorded_at: dt.datetime | None = None
    not_recorded_by: User | None = None
    version: int = 1


@dataclass
class RhiStep:
    at: dt.datetime
    kind: str
    summary: str
    actor: User | None
    bumps: bool = True  # a state change; proposing a finding keeps the version (as in returns.actions)


def _loguniform(rng: random.Random, lo: float, hi: float) -> float:
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def _pick_worker(rng: random.Random, team: list[User], demo_id: int | None) -> User:
    weights = [config.RHI_DEMO_WORKER_WEIGHT if u.pk == demo_id else 1.0 for u in team]
    return rng.choices(team, weights)[0]


class Aftermath:
    """Writes the notifications and return interviews of each episode, as the hooks would have."""

    def __init__(
        self, *, rng: random.Random, tables: dict[str, Table], world: World, cutoff: dt.datetime
    ) -> None:
        self.rng = rng
        self.t = tables
        self.world = world
        self.cutoff = cutoff
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.offer_window = offer_hours() * HOUR
        self.rhi_for_vulnerable_adults = bool(getattr(settings, "HOMEWARD_RHI_FOR_VULNERABLE_ADULTS", False))
        # Offered in time, given that an offer is made at all.
        self.p_in_time = config.RHI_OFFERED_IN_TIME / (1 - config.RHI_NOT_POSSIBLE_BEFORE_OFFER)
        self.stats: Counter[str] = Counter()

    def episode(self, facts: EpisodeFacts) -> None:
        self.notify(facts, NotificationEvent.REPORTED, facts.reported_at, facts.reported_by)
        if facts.not_recorded_at is not None and facts.not_recorded_by is not None:
            # notify_not_recorded: the same organisations hear that the police decided not to record it.
            self.notify(facts, NotificationEvent.NOT_RECORDED, facts.not_recorded_at, facts.not_recorded_by)
            self.maybe_appeal(facts, facts.not_recorded_at, facts.not_recorded_by)
            return
        found = facts.found
        if found is None:
            return
        # notify_found: everyone told at report, for the reason they were told then (and the rules give
        # the same organisations now: nothing about the episode or person changes in between here).
        self.notify(facts, NotificationEvent.FOUND, found.recorded_at, found.recorded_by)
        if not found.deceased and (
            facts.is_child or (self.rhi_for_vulnerable_adults and facts.person_markers)
        ):
            self.refer(facts, found)

    # -- time ----------------------------------------------------------------------------------------------
    def office_time(self, t: dt.datetime) -> dt.datetime:
        """t if the office is open then, else a little after it next opens (Monday to Friday)."""
        local = t.astimezone(self.tz)
        minutes = local.hour * 60 + local.minute
        if local.weekday() < 5 and OFFICE_OPENS <= minutes < OFFICE_CLOSES:
            return t
        day = local.date() if (local.weekday() < 5 and minutes < OFFICE_OPENS) else local.date() + DAY
        while day.weekday() >= 5:
            day += DAY
        opens = dt.datetime(
            day.year, day.month, day.day, OFFICE_OPENS // 60, OFFICE_OPENS % 60, tzinfo=self.tz
        )
        return opens.astimezone(UTC) + self.rng.uniform(0, 120) * MINUTE

    def offer_in_time(self, assigned_at: dt.datetime, due: dt.datetime) -> dt.datetime:
        """An offer made by the deadline, in office hours where that still meets it.

        Skewed early: most offers made in time are made in the first day or so.
        """
        candidate = assigned_at
        for _ in range(4):
            candidate = assigned_at + (due - assigned_at) * self.rng.random() ** 1.6
            snapped = self.office_time(candidate)
            if snapped <= due:
                return snapped
        return candidate  # a weekend or evening phone call, to make the deadline

    # -- appeals against a decision not to record ------------------------------------------------------------
    def maybe_appeal(self, facts: EpisodeFacts, decided: dt.datetime, decider: User) -> None:
        """Now and then the premises' provider appeals (escalation_raise); a senior officer upholds it.

        Overturned appeals are not generated: they would turn the report back into an episode, which
        the generator has already finished. The application's journey is covered by its tests.
        """
        rng = self.rng
        providers = [
            org for org, reason in facts.recipients.items() if reason == Reason.MISSING_FROM_PROVIDER
        ]
        staff = self.world.readers.get(providers[0], []) if providers else []
        if not staff or rng.random() >= config.NOT_RECORDED_APPEAL_RATE:
            return
        raiser = rng.choice(staff)
        raised = self.office_time(decided + rng.uniform(0.3, 20) * HOUR)
        if raised >= self.cutoff:
            return
        # A more senior officer than whoever decided: an inspector for a sergeant's decision.
        seniors = [u for u in self.world.inspectors if outranks(u.role, decider.role)]
        if decider.role == Role.CALL_HANDLER:
            seniors += self.world.supervisors.get(facts.district.name, [])
        decided_at = raised + _loguniform(rng, 0.5, 30) * HOUR
        upheld = decided_at < self.cutoff and bool(seniors)
        judge = rng.choice(seniors) if upheld else None
        self.t["Escalation"].add(
            {
                "episode_id": facts.episode_id,
                "raised_by_id": raiser.pk,
                "raised_by_name": raiser.get_full_name() or raiser.username,
                "raised_at": raised,
                "grounds": rng.choice(texts.APPEAL_GROUNDS),
                "assigned_to_id": None,
                "status": EscalationStatus.UPHELD if upheld else EscalationStatus.OPEN,
                "decided_by_id": judge.pk if judge else None,
                "decided_at": decided_at if upheld else None,
                "decision_reasons": rng.choice(texts.APPEAL_UPHELD_REASONS) if upheld else "",
            }
        )
        self.event(facts, raised, "escalation_raised", f"Appeal raised by {raiser.get_full_name()}", raiser)
        if judge is not None:
            self.event(
                facts, decided_at, "escalation_upheld", "Decision not to record upheld on appeal", judge
            )
        self.stats["appeals:upheld" if upheld else "appeals:open"] += 1

    def event(self, facts: EpisodeFacts, at: dt.datetime, kind: str, summary: str, actor: User) -> None:
        # Appeals add to the history without changing the episode (no new version), as in the actions.
        self.t["EpisodeEvent"].add(
            {
                "episode_id": facts.episode_id,
                "version": facts.version,
                "kind": kind,
                "summary": summary[:500],
                "actor_id": actor.pk,
                "at": at,
            }
        )

    # -- notifications -------------------------------------------------------------------------------------
    def notify(self, facts: EpisodeFacts, event: str, at: dt.datetime, actor: User) -> None:
        rng, cutoff = self.rng, self.cutoff
        for org_id, reason in facts.recipients.items():
            # The email worker picks the row up within minutes; now and then the queue is backed up.
            delay = rng.uniform(0.2, 4) if rng.random() < 0.98 else _loguniform(rng, 10, 180)
            sent_at: dt.datetime | None = at + delay * MINUTE
            read_at: dt.datetime | None = None
            read_by: User | None = None
            if sent_at is not None and sent_at >= cutoff:
                sent_at = None
                status = DeliveryStatus.PENDING
            else:
                assert sent_at is not None
                if org_id not in self.world.council_ids:
                    # Care providers and health trusts check the inbox when they can: hours to days.
                    read_at = self.office_time(sent_at + _loguniform(rng, 0.5, 96) * HOUR)
                elif rng.random() < 0.2:
                    # Children's social care out of hours (the emergency duty team) reads it straight away.
                    read_at = sent_at + _loguniform(rng, 3, 120) * MINUTE
                else:
                    read_at = self.office_time(sent_at + _loguniform(rng, 5, 360) * MINUTE)
                    if rng.random() < 0.05:
                        read_at = self.office_time(read_at + rng.uniform(1, 5) * DAY)
                if read_at < cutoff:
                    status = DeliveryStatus.READ
                    readers = self.world.readers.get(org_id)
                    read_by = rng.choice(readers) if readers else None
                else:
                    read_at = None
                    status = DeliveryStatus.SENT
            self.t["Notification"].add(
                {
                    "episode_id": facts.episode_id,
                    "recipient_id": org_id,
                    "reason": reason,
                    "event": event,
                    "status": status,
                    "created_at": at,
                    "created_by_id": actor.pk,
                    "sent_at": sent_at,
                    "read_at": read_at,
                    "read_by_id": read_by.pk if read_by else None,
                    "email_to": "",
                }
            )
            self.stats[f"notification:{status}"] += 1

    # -- return home interviews ----------------------------------------------------------------------------
    def service_for(self, facts: EpisodeFacts) -> int | None:
        """returns.services.rhi_service_for: the force's service, else the placing or the area's council."""
        if self.world.rhi_service is not None:
            return self.world.rhi_service.pk
        if facts.placing_authority_id:
            return facts.placing_authority_id
        return facts.district.council_id

    def refer(self, facts: EpisodeFacts, found: FoundFacts) -> None:
        service_id = self.service_for(facts)
        referred_at = found.recorded_at
        due = found.found_at + self.offer_window
        values: dict[str, Any] = {
            "id": self.t["ReturnInterview"].reserve(),
            "episode_id": facts.episode_id,
            "person_id": facts.person_id,
            "status": RhiStatus.REFERRED,
            "referred_at": referred_at,
            "referred_to_id": service_id,
            "offer_due_at": due,
        }
        service_name = self.world.organisation_names.get(service_id) if service_id is not None else None
        steps = [
            RhiStep(
                referred_at,
                "referred",
                f"Referred to {service_name}" if service_name else "No return interview service to refer to",
                found.recorded_by,
            )
        ]
        self.stats["rhi"] += 1
        proposals: list[dict[str, Any]] = []
        self.progress(facts, values, steps, proposals, due)
        self.stats[f"rhi:{values['status']}"] += 1
        if due < self.cutoff:
            self.stats["rhi_due"] += 1
            offered_at = values.get("offered_at")
            self.stats["rhi_in_time"] += offered_at is not None and offered_at <= due
        version = 0
        for step in steps:
            version += step.bumps
            self.t["ReturnInterviewEvent"].add(
                {
                    "rhi_id": values["id"],
                    "version": version,
                    "kind": step.kind,
                    "summary": step.summary[:500],
                    "actor_id": step.actor.pk if step.actor else None,
                    "at": step.at,
                }
            )
        values["version"] = version
        values["updated_at"] = max(step.at for step in steps if step.bumps)
        self.t["ReturnInterview"].add(values)
        for proposal in proposals:
            self.t["FindingProposal"].add(proposal)

    def progress(
        self,
        facts: EpisodeFacts,
        values: dict[str, Any],
        steps: list[RhiStep],
        proposals: list[dict[str, Any]],
        due: dt.datetime,
    ) -> None:
        """How far the interview got by the cut-off: assigned, offered, outcome, findings proposed."""
        rng, cutoff, story = self.rng, self.cutoff, facts.story
        team = self.world.rhi_workers.get(facts.district.name) or self.world.rhi_workers_all
        if values["referred_to_id"] is None or not team or self.world.rhi_service is None:
            return  # nobody to allocate it to: it waits, visible, as referred
        # A worker of the district's team allocates it in office hours (often to themselves); the demo
        # account carries a fuller caseload than its part-time colleagues.
        assigner = rng.choice(team)
        worker = _pick_worker(rng, team, self.world.demo_rhi_worker_id)
        assigned_at = self.office_time(values["referred_at"] + _loguniform(rng, 10, 300) * MINUTE)
        if assigned_at >= cutoff:
            return
        values.update(status=RhiStatus.ASSIGNED, assigned_to_id=worker.pk, assigned_at=assigned_at)
        steps.append(RhiStep(assigned_at, "assigned", f"Assigned to {worker.display_name}", assigner))

        if rng.random() < config.RHI_NOT_POSSIBLE_BEFORE_OFFER:
            # Not possible before any offer could be made: the only outcome that needs no offer.
            completed_at = self.office_time(assigned_at + _loguniform(rng, 12, 480) * HOUR)
            recorded_at = self.office_time(completed_at + _loguniform(rng, 10, 24 * 60) * MINUTE)
            if recorded_at < cutoff:
                self.outcome(values, steps, worker, RhiOutcome.NOT_POSSIBLE, completed_at, recorded_at, facts)
            return

        if rng.random() < self.p_in_time and assigned_at < due:
            offered_at = self.offer_in_time(assigned_at, due)
        else:
            offered_at = self.office_time(due + _loguniform(rng, 1, 12 * 24) * HOUR)
        offer_recorded_at = (
            offered_at + rng.uniform(1, 20) * MINUTE
            if rng.random() < 0.7
            else self.office_time(offered_at + _loguniform(rng, 0.5, 30) * HOUR)
        )
        if offer_recorded_at >= cutoff:
            return
        values.update(
            status=RhiStatus.OFFERED, offered_at=offered_at, offer_note=texts.rhi_offer_note(rng, story)
        )
        late = "" if offered_at <= due else " (after the offer was due)"
        steps.append(RhiStep(offer_recorded_at, "offered", f"Interview offered{late}", worker))

        u = rng.random()
        completed_share, declined_share, _rest = config.RHI_OUTCOMES_AFTER_OFFER
        if u < completed_share:
            outcome = RhiOutcome.COMPLETED
            # Arranged for a time that suits the child: often a few days after the offer.
            completed_at = self.office_time(offered_at + _loguniform(rng, 6, 240) * HOUR)
        elif u < completed_share + declined_share:
            outcome = RhiOutcome.DECLINED
            completed_at = offered_at + (0 if rng.random() < 0.6 else rng.uniform(2, 48)) * HOUR
        else:
            outcome = RhiOutcome.NOT_POSSIBLE
            completed_at = self.office_time(offered_at + _loguniform(rng, 24, 336) * HOUR)
        recorded_at = self.office_time(
            max(completed_at, offer_recorded_at) + _loguniform(rng, 20, 48 * 60) * MINUTE
        )
        if recorded_at >= cutoff:
            return
        self.outcome(values, steps, worker, outcome, completed_at, recorded_at, facts)
        if (
            outcome == RhiOutcome.COMPLETED
            and cutoff - recorded_at <= config.RHI_PROPOSALS_PENDING_DAYS * DAY
            and rng.random() < config.RHI_PROPOSAL_SHARE
        ):
            self.propose(values, steps, proposals, worker, recorded_at, facts)

    def outcome(
        self,
        values: dict[str, Any],
        steps: list[RhiStep],
        worker: User,
        outcome: str,
        completed_at: dt.datetime,
        recorded_at: dt.datetime,
        facts: EpisodeFacts,
    ) -> None:
        rng, story = self.rng, facts.story
        values.update(
            status=outcome,
            outcome=outcome,
            completed_at=completed_at,
            outcome_recorded_by_id=worker.pk,
            outcome_recorded_at=recorded_at,
        )
        if outcome == RhiOutcome.COMPLETED:
            assert facts.found is not None
            values.update(texts.rhi_findings(rng, story, facts.found.where_been, facts.found.with_whom))
        elif outcome == RhiOutcome.DECLINED:
            values["carer_account"] = texts.rhi_carer_account(rng, story)
        else:
            values["not_possible_reason"] = texts.rhi_not_possible_reason(rng, story)
        steps.append(RhiStep(recorded_at, "outcome", f"Interview {OUTCOME_LABELS[outcome].lower()}", worker))

    def propose(
        self,
        values: dict[str, Any],
        steps: list[RhiStep],
        proposals: list[dict[str, Any]],
        worker: User,
        after: dt.datetime,
        facts: EpisodeFacts,
    ) -> None:
        """One or two findings proposed for the person's record, waiting for the police to decide."""
        rng, story = self.rng, facts.story
        markers = [(code, detail) for code, detail in texts.RHI_MARKERS if code not in facts.person_markers]
        kinds = [FindingKind.ASSOCIATE, FindingKind.PLACE] + ([FindingKind.MARKER] if markers else [])
        at = after
        for kind in rng.sample(kinds, rng.randint(1, 2)):
            at = min(at + rng.uniform(3, 90) * MINUTE, max(at, self.cutoff - MINUTE))
            if kind == FindingKind.ASSOCIATE:
                template, detail = rng.choice(texts.RHI_ASSOCIATES)
                value = template.format(nickname=rng.choice(texts.RHI_NICKNAMES))
                label = value
            elif kind == FindingKind.PLACE:
                template, detail = rng.choice(texts.RHI_PLACES)
                street = f"{rng.choice(names.STREET_FIRST)} {rng.choice(names.STREET_SUFFIX)}"
                value = template.format(street=street, area=story.area)
                label = value
            else:
                value, detail = rng.choice(markers)
                label = MARKER_LABELS.get(value, value)
            proposals.append(
                {
                    "rhi_id": values["id"],
                    "kind": kind,
                    "value": value,
                    "detail": detail,
                    "proposed_by_id": worker.pk,
                    "proposed_at": at,
                }
            )
            steps.append(
                RhiStep(
                    at,
                    "finding_proposed",
                    f"Proposed for the record: {KIND_LABELS[kind].lower()} {label}",
                    worker,
                    bumps=False,
                )
            )
            self.stats["proposals"] += 1
