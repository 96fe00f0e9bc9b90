"""The demo generator: deterministic, calibrated on the published figures, safe on a database in use."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F

from homeward.audit.models import AuditEvent
from homeward.demo import config
from homeward.demo.generator import DEMO_USERNAMES
from homeward.episodes.models import Condition, Episode, FoundRecord, RiskAssessment, Status
from homeward.identity.models import Organisation, OrganisationKind, User
from homeward.identity.roles import Capability, Role
from homeward.notifications import selectors as notification_selectors
from homeward.notifications.models import DeliveryStatus, Notification, Reason
from homeward.notifications.services import recipients_for
from homeward.people.models import Person, PersonAlias, PersonSearchKey
from homeward.returns import selectors as rhi_selectors
from homeward.returns.models import (
    AWAITING_OFFER,
    FINDING_FIELDS,
    FINISHED,
    FindingProposal,
    ProposalStatus,
    ReturnInterview,
    ReturnInterviewEvent,
    RhiStatus,
)
from homeward.returns.services import offer_hours, rhi_service_for

AS_OF = dt.date(2025, 6, 30)


def load(seed: int, scale: float, years: int = 1, *extra: str) -> str:
    out = io.StringIO()
    call_command(
        "demo",
        "--seed",
        str(seed),
        "--years",
        str(years),
        "--scale",
        str(scale),
        "--as-of",
        AS_OF.isoformat(),
        *extra,
        stdout=out,
    )
    return out.getvalue()


def digest() -> str:
    """A fingerprint of the data by natural keys (database ids may differ between loads)."""
    h = hashlib.sha256()
    episodes = Episode.objects.order_by("reference").values_list(
        "reference",
        "person__given_name",
        "person__family_name",
        "person__date_of_birth",
        "district__name",
        "status",
        "reported_at",
        "last_seen_at",
        "found_at",
        "closed_at",
        "risk_level_first",
        "risk_level",
        "missing_from__name",
        "reporting_person_name",
        "circumstances",
        "placing_authority__name",
        "version",
    )
    assessments = RiskAssessment.objects.order_by("episode__reference", "sequence").values_list(
        "episode__reference", "sequence", "level", "assessed_at", "signed_off_at", "rationale", "factors"
    )
    people = Person.objects.order_by("given_name", "family_name", "date_of_birth", "created_at").values_list(
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "ethnicity",
        "looked_after",
        "created_at",
        "marks",
    )
    keys = PersonSearchKey.objects.order_by("person__given_name", "person__family_name", "key").values_list(
        "person__given_name", "person__family_name", "key"
    )
    notifications = Notification.objects.order_by(
        "episode__reference", "event", "recipient__name"
    ).values_list(
        "episode__reference",
        "event",
        "recipient__name",
        "reason",
        "status",
        "created_at",
        "created_by__username",
        "sent_at",
        "read_at",
        "read_by__username",
    )
    rhis = ReturnInterview.objects.order_by("episode__reference").values_list(
        "episode__reference",
        "status",
        "referred_at",
        "referred_to__name",
        "assigned_to__username",
        "assigned_at",
        "offer_due_at",
        "offered_at",
        "offer_note",
        "outcome",
        "completed_at",
        "outcome_recorded_at",
        *FINDING_FIELDS,
        "carer_account",
        "not_possible_reason",
        "version",
        "updated_at",
    )
    history = ReturnInterviewEvent.objects.order_by(
        "rhi__episode__reference", "version", "at", "kind"
    ).values_list("rhi__episode__reference", "version", "kind", "summary", "actor__username", "at")
    proposals = FindingProposal.objects.order_by("rhi__episode__reference", "proposed_at").values_list(
        "rhi__episode__reference", "kind", "value", "detail", "status", "proposed_by__username", "proposed_at"
    )
    # The records' audit trail, in chain order (ids and hashes differ between loads on PostgreSQL).
    trail = (
        AuditEvent.objects.exclude(event_type__startswith="demo.")
        .order_by("id")
        .values_list("occurred_at", "event_type", "operation", "acting_as", "changed_fields")
    )
    for rows in (episodes, assessments, people, keys, notifications, rhis, history, proposals, trail):
        for row in rows:
            h.update(repr(row).encode())
    return h.hexdigest()


@pytest.mark.django_db
def test_same_seed_gives_the_same_data_and_another_seed_does_not() -> None:
    fingerprints = []
    for seed in (5, 5, 6):
        # Each load starts from an empty database: roll the previous one back.
        with transaction.atomic():
            load(seed, 0.05)
            # The fingerprint covers what the episode hooks set off in partner agencies too.
            assert Notification.objects.exists() and ReturnInterviewEvent.objects.exists()
            fingerprints.append(digest())
            transaction.set_rollback(True)
    assert fingerprints[0] == fingerprints[1]
    assert fingerprints[0] != fingerprints[2]


@pytest.mark.django_db
def test_a_small_run_is_calibrated_on_the_published_figures() -> None:
    output = load(11, 0.3)
    episodes = Episode.objects.all()
    recorded = episodes.exclude(status__in=(Status.NOT_RECORDED, Status.REPORTED))
    n = recorded.count()
    # About 10,500 episodes a year at scale 1.
    assert 0.85 * 3150 < episodes.count() < 1.15 * 3150

    # ~60% children; risk mix about 16% high; never very low for a child.
    assert 0.52 < recorded.filter(is_child=True).count() / n < 0.68
    assert 0.12 < recorded.filter(risk_level_first="high").count() / n < 0.21
    assert 0.62 < recorded.filter(risk_level_first="medium").count() / n < 0.74
    assert not recorded.filter(
        is_child=True, risk_assessments__level__in=settings.HOMEWARD_FORBIDDEN_CHILD_LEVELS
    )
    assert recorded.filter(is_child=False, risk_level_first="very_low").exists()

    # ~78% found within 24 hours of the report (SPEC §7 denominator), ~46% within 8 h.
    cutoff = max(e.reported_at for e in episodes)
    found = list(recorded.exclude(found_at=None).values_list("reported_at", "found_at"))
    base = recorded.exclude(found_at=None, reported_at__gt=cutoff - dt.timedelta(hours=24)).count()
    within_24 = sum(1 for rep, fnd in found if fnd - rep <= dt.timedelta(hours=24))
    within_8 = sum(1 for rep, fnd in found if fnd - rep <= dt.timedelta(hours=8))
    assert 0.72 < within_24 / base < 0.85
    assert 0.40 < within_8 / base < 0.54

    # Every graded episode has a risk assessment; closed ones are all signed off.
    assert not recorded.filter(risk_assessments__isnull=True).exists()
    assert not RiskAssessment.objects.filter(episode__status=Status.CLOSED, signed_off_at=None).exists()

    # A heavy repeat tail: most people go missing once, a few very often.
    per_person = Counter(episodes.values_list("person_id", flat=True))
    assert sum(1 for c in per_person.values() if c == 1) / len(per_person) > 0.6
    assert sum(1 for c in per_person.values() if c >= 8) >= 5
    lac = recorded.filter(
        looked_after=True, missing_from_category__in=["childrens_home", "unregistered_home"]
    )
    assert lac.exists()
    assert lac.filter(out_of_area=True).exclude(placing_authority=None).exists()

    # Live cases for the dashboard; a handful long-term; some decisions not to record.
    open_cases = episodes.filter(status__in=(Status.ACTIVE, Status.LONG_TERM))
    assert open_cases.filter(status=Status.ACTIVE).exists()
    assert not open_cases.filter(status=Status.ACTIVE, reported_at__lt=cutoff - dt.timedelta(days=3)).exists()
    assert open_cases.filter(status=Status.LONG_TERM).count() < 15
    assert episodes.filter(status=Status.NOT_RECORDED).exclude(not_recorded_reason="").exists()

    # References are unique, well formed and numbered in report order.
    refs = list(episodes.order_by("reported_at", "id").values_list("reference", flat=True))
    assert all(re.fullmatch(r"MP-\d{4}-\d{6}", r) for r in refs)
    assert refs == sorted(refs)

    # Everyone is searchable; misspelt re-reports are kept as aliases with who supplied them.
    assert not Person.objects.annotate(k=Count("search_keys")).filter(k=0).exists()
    assert PersonAlias.objects.filter(is_nickname=False).exclude(supplied_by="").exists()

    # One demo account per role; loading is audited once.
    roles = set(User.objects.filter(username__in=DEMO_USERNAMES).values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.get(username="admin").is_staff
    assert AuditEvent.objects.filter(event_type="demo.loaded").count() == 1
    assert "Calibration" in output

    # Ids were assigned by the generator: the database still hands out fresh ones afterwards.
    force = Organisation.objects.get(kind=OrganisationKind.POLICE_FORCE)
    later = Person.objects.create(
        given_name="Test",
        family_name="Person",
        owner=force,
        force=force,
        created_at=cutoff,
        updated_at=cutoff,
    )
    assert later.pk > max(per_person)


@pytest.mark.django_db
def test_if_empty_leaves_an_existing_database_alone() -> None:
    Organisation.objects.create(name="Existing Force", kind=OrganisationKind.POLICE_FORCE)
    out = io.StringIO()
    call_command("demo", "--if-empty", "--as-of", AS_OF.isoformat(), stdout=out)
    assert "already has data" in out.getvalue()
    assert Organisation.objects.count() == 1
    assert not Episode.objects.exists()
    with pytest.raises(CommandError, match="empty database"):
        call_command("demo", "--as-of", AS_OF.isoformat(), stdout=io.StringIO())


@pytest.mark.django_db
def test_accounts_lists_every_role_and_the_password() -> None:
    load(2, 0.02)
    out = io.StringIO()
    call_command("demo", "accounts", stdout=out)
    text = out.getvalue()
    for username in DEMO_USERNAMES:
        assert re.search(rf"^\s+{re.escape(username)}\s", text, re.MULTILINE)
    for _value, label in Role.choices:
        assert label in text
    assert config.FORCE_NAME in text
    assert "Password" in text


def test_archetype_budgets_add_up_to_the_force_volume() -> None:
    assert sum(a.per_year for a in config.ARCHETYPES) == config.EPISODES_PER_YEAR
    assert {role for _u, role, *_rest in config.DEMO_ACCOUNTS} == set(Role.values)


def _cutoff() -> dt.datetime:
    return dt.datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=ZoneInfo(settings.TIME_ZONE))


@pytest.mark.django_db
def test_notifications_are_what_the_episode_hooks_would_have_written() -> None:
    load(3, 0.2)
    cutoff = _cutoff()
    force = Organisation.objects.get(kind=OrganisationKind.POLICE_FORCE)
    told: dict[tuple[int, str], dict[int, str]] = {}
    for episode_id, event, recipient_id, reason in Notification.objects.values_list(
        "episode_id", "event", "recipient_id", "reason"
    ):
        told.setdefault((episode_id, event), {})[recipient_id] = reason

    # Every missing child: the council of the district is told, as the area's children's social care
    # (or as host authority when another council placed the child here).
    children = Episode.objects.filter(is_child=True).select_related("district")
    assert children.count() > 500
    for episode in children:
        reason = told[(episode.pk, "reported")][episode.district.council_id]
        expected = Reason.OUT_OF_AREA_HOST_AUTHORITY if episode.out_of_area else Reason.CHILD_MISSING_CSC
        assert reason == expected

    # The generator agrees with the application's own rule, on a sample of every kind of episode:
    # reported to everyone the rule picks, found to the same organisations once found.
    sample = list(
        Episode.objects.filter(pk__in=list(Episode.objects.order_by("pk").values_list("pk", flat=True))[::7])
        .select_related(
            "district__council",
            "placing_authority",
            "person__home_district__council",
            "missing_from__provider",
        )
        .order_by("pk")
    )
    sample += list(Episode.objects.filter(out_of_area=True).order_by("pk")[:40])
    # Children missing away from the district they live in: their home council is told too.
    away = Episode.objects.filter(is_child=True).exclude(person__home_district=F("district"))
    sample += list(away.order_by("pk")[:40])
    kinds = Counter(reason for episode in sample for _org, reason in recipients_for(episode).values())
    assert set(kinds) == set(Reason.values), kinds  # the sample exercises every rule
    for episode in sample:
        expected = {pk: reason for pk, (_org, reason) in recipients_for(episode).items()}
        assert told.get((episode.pk, "reported"), {}) == expected, episode.reference
        assert told.get((episode.pk, "found"), {}) == (expected if episode.found_at else {}), (
            episode.reference
        )
    # A decision not to record is told to the same organisations as the report was.
    declined = Episode.objects.filter(status=Status.NOT_RECORDED)
    assert declined.exists()
    for episode in declined:
        assert told.get((episode.pk, "not_recorded"), {}) == told.get((episode.pk, "reported"), {})
    assert Notification.objects.filter(event="not_recorded").exists()
    assert not Notification.objects.filter(event="not_recorded").exclude(episode__in=declined).exists()
    assert not Notification.objects.filter(recipient=force).exists()
    adults_at_home = Episode.objects.filter(is_child=False, missing_from=None)
    assert not Notification.objects.filter(episode__in=adults_at_home).exists()

    # Created when the report and the found record were made; delivered, then read in the recipient's
    # office by someone there who works on cases; the last days' still unread.
    rows = list(Notification.objects.select_related("episode", "read_by", "created_by"))
    found_recorded = dict(FoundRecord.objects.values_list("episode_id", "recorded_at"))
    for n in rows:
        assert n.email_to == ""
        if n.event == "reported":
            assert n.created_at == n.episode.reported_at
            assert n.created_by == n.episode.reported_by
        elif n.event == "not_recorded":
            assert n.created_at == n.episode.not_recorded_at
            assert n.created_by == n.episode.not_recorded_by
        else:
            assert n.created_at == found_recorded[n.episode_id]
        if n.status == DeliveryStatus.PENDING:
            assert n.sent_at is None and n.read_at is None and n.read_by is None
            continue
        assert n.sent_at is not None and n.created_at <= n.sent_at < cutoff
        if n.status == DeliveryStatus.READ:
            assert n.read_at is not None and n.sent_at <= n.read_at < cutoff
            assert n.read_by is not None and n.read_by.organisation_id == n.recipient_id
            assert n.read_by.can(Capability.VIEW_CASES)
        else:
            assert n.status == DeliveryStatus.SENT and n.read_at is None and n.read_by is None
    unread = [n for n in rows if n.status != DeliveryStatus.READ]
    assert unread and all(cutoff - n.created_at < dt.timedelta(days=7) for n in unread)
    assert sum(1 for n in rows if n.status == DeliveryStatus.READ) > 0.95 * len(rows)
    csc = User.objects.get(username="csc.leeds")
    assert notification_selectors.unread_count_for(actor=csc) > 0
    assert Notification.objects.filter(read_by=csc).exists()


@pytest.mark.django_db
def test_return_interviews_follow_every_child_found_alive() -> None:
    load(11, 0.3)
    cutoff = _cutoff()
    rhis = list(
        ReturnInterview.objects.select_related(
            "episode__district__council", "episode__placing_authority", "assigned_to", "outcome_recorded_by"
        )
    )
    found_alive_children = set(
        FoundRecord.objects.filter(episode__is_child=True)
        .exclude(condition=Condition.DECEASED)
        .values_list("episode_id", flat=True)
    )
    assert {r.episode_id for r in rhis} == found_alive_children
    assert not ReturnInterview.objects.filter(episode__is_child=False).exists()
    assert not ReturnInterview.objects.filter(episode__found_record__condition=Condition.DECEASED).exists()
    assert len(rhis) > 1000

    # Routed as refer_on_return would, with the offer clock running from the found time.
    recorded = dict(FoundRecord.objects.values_list("episode_id", "recorded_at"))
    for rhi in rhis[::25]:
        service = rhi_service_for(rhi.episode)
        assert service is not None and rhi.referred_to_id == service.pk
    for rhi in rhis:
        assert rhi.episode.found_at is not None
        assert rhi.offer_due_at == rhi.episode.found_at + dt.timedelta(hours=offer_hours())
        assert rhi.referred_at == recorded[rhi.episode_id]

    # Only about 42% offered within the 72 hours (domain reference), among those whose clock has run out.
    due = [r for r in rhis if r.offer_due_at < cutoff]
    in_time = sum(1 for r in due if r.offered_in_time)
    assert 0.36 < in_time / len(due) < 0.48

    # Each state as the actions would leave it, with the history and version they would have written.
    events: dict[int, list[ReturnInterviewEvent]] = {}
    for event in ReturnInterviewEvent.objects.order_by("version", "at", "id"):
        events.setdefault(event.rhi_id, []).append(event)
    statuses = Counter(r.status for r in rhis)
    assert set(statuses) == set(RhiStatus.values), statuses
    for rhi in rhis:
        history = events[rhi.pk]
        changes = [e for e in history if e.kind != "finding_proposed"]
        assert [e.version for e in changes] == list(range(1, rhi.version + 1))
        assert changes[0].kind == "referred" and changes[0].at == rhi.referred_at
        assert rhi.updated_at == changes[-1].at
        assert all(e.at < cutoff for e in history)
        if rhi.status == RhiStatus.REFERRED:
            assert rhi.assigned_to is None and rhi.version == 1
            continue
        worker = rhi.assigned_to
        assert worker is not None and worker.role == Role.RHI_WORKER
        assert worker.organisation_id == rhi.referred_to_id
        assert rhi.assigned_at is not None and rhi.referred_at <= rhi.assigned_at
        assert changes[1].kind == "assigned" and changes[1].at == rhi.assigned_at
        if rhi.offered_at is not None:
            assert rhi.assigned_at <= rhi.offered_at
            assert changes[2].kind == "offered" and changes[2].actor == worker
            assert changes[2].summary.endswith("due)") != rhi.offered_in_time
        if rhi.status == RhiStatus.ASSIGNED:
            assert rhi.offered_at is None and rhi.version == 2
        elif rhi.status == RhiStatus.OFFERED:
            assert rhi.offered_at is not None and not rhi.outcome and rhi.version == 3
        else:
            assert rhi.status in FINISHED and rhi.outcome == rhi.status
            assert rhi.completed_at is not None and rhi.outcome_recorded_at is not None
            assert rhi.episode.found_at <= rhi.completed_at <= rhi.outcome_recorded_at == changes[-1].at
            assert rhi.outcome_recorded_by == worker and changes[-1].kind == "outcome"
            if rhi.status != RhiStatus.NOT_POSSIBLE:
                assert rhi.offered_at is not None and rhi.offered_at <= rhi.completed_at
            if rhi.status == RhiStatus.COMPLETED:
                assert rhi.push_factors and rhi.where_went
            elif rhi.status == RhiStatus.DECLINED:
                assert rhi.carer_account and not rhi.push_factors
            else:
                assert rhi.not_possible_reason and not rhi.push_factors

    # The demo worker has live work on "My interviews": their own interviews waiting for an offer (some
    # overdue), and the service's newest referrals waiting for a worker, whose clocks are still running.
    worker = User.objects.get(username="rhi.worker")
    mine = rhi_selectors.rhis_assigned_to(actor=worker)
    waiting = [r for r in mine if r.status in AWAITING_OFFER]
    assert waiting and any(r.offer_overdue(cutoff) for r in waiting)
    # Unassigned referrals are shown to a worker without names, to take on (rhis_claimable_for).
    unallocated = rhi_selectors.rhis_claimable_for(actor=worker)
    assert unallocated
    assert set(
        ReturnInterview.objects.filter(pk__in=[c.pk for c in unallocated]).values_list("status", flat=True)
    ) == {RhiStatus.REFERRED}
    assert any(r.offer_due_at > cutoff for r in [*waiting, *unallocated])
    assert any(r.is_finished for r in mine)

    # A few findings wait for the police to decide whether they go on the person's record.
    proposals = list(FindingProposal.objects.select_related("rhi"))
    assert 0 < len(proposals) < 40
    for proposal in proposals:
        assert proposal.status == ProposalStatus.PROPOSED
        assert proposal.rhi.status == RhiStatus.COMPLETED
        assert proposal.proposed_by_id == proposal.rhi.assigned_to_id
        assert proposal.rhi.outcome_recorded_at is not None
        assert proposal.rhi.outcome_recorded_at <= proposal.proposed_at < cutoff
    officer = User.objects.get(username="officer")
    assert len(rhi_selectors.proposals_pending_for(actor=officer)) == len(proposals)


@pytest.mark.django_db
def test_appeals_come_from_the_premises_and_go_to_a_more_senior_officer(monkeypatch) -> None:
    from homeward.episodes.models import Escalation, EscalationStatus
    from homeward.identity.roles import outranks

    # Every decision about someone missing from a provider's premises is appealed, so a small load has some.
    monkeypatch.setattr(config, "NOT_RECORDED_APPEAL_RATE", 1.0)
    load(3, 0.2)
    appeals = list(Escalation.objects.select_related("episode__not_recorded_by", "raised_by", "decided_by"))
    assert appeals
    for appeal in appeals:
        episode = appeal.episode
        assert episode.status == Status.NOT_RECORDED and appeal.raised_at > episode.not_recorded_at
        assert episode.premises_provider_id is not None
        assert appeal.raised_by.organisation_id == episode.premises_provider_id
        if appeal.status == EscalationStatus.UPHELD:
            assert appeal.decided_at > appeal.raised_at and appeal.decision_reasons
            assert outranks(appeal.decided_by.role, episode.not_recorded_by.role)
        else:
            assert appeal.status == EscalationStatus.OPEN and appeal.decided_by is None
    assert {a.status for a in appeals} >= {EscalationStatus.UPHELD}
