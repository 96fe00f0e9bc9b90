"""The demo records, on a small demo load: realistic, consistent with the rules, deterministic."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from homeward.episodes.models import Episode
from homeward.identity.roles import Role
from homeward.prevention.demo import add_demo_records
from homeward.prevention.models import (
    Action,
    EarlyHelpReferral,
    Initiative,
    Meeting,
    Plan,
    PlanEvent,
    PlanKind,
)

AS_OF = dt.date(2025, 6, 30)
NOW = dt.datetime(2025, 6, 30, tzinfo=ZoneInfo(settings.TIME_ZONE))


def load_small_demo(seed: int) -> None:
    call_command(
        "demo",
        "--seed",
        str(seed),
        "--years",
        "1",
        "--scale",
        "0.05",
        "--as-of",
        AS_OF.isoformat(),
        stdout=io.StringIO(),
    )


def fingerprint() -> list[tuple[object, ...]]:
    plans = Plan.objects.order_by("person__given_name", "person__family_name", "location__name", "kind")
    return [
        *plans.values_list(
            "kind", "person__given_name", "location__name", "concerns", "created_at", "review_on"
        ),
        *Action.objects.order_by("plan__created_at", "description").values_list(
            "description", "owner__username", "due_on", "status"
        ),
        *EarlyHelpReferral.objects.order_by("made_at").values_list("person__given_name", "status", "made_at"),
        *Initiative.objects.order_by("name").values_list("name", "amount", "district__name"),
    ]


@pytest.mark.django_db
def test_demo_records_are_realistic_and_deterministic():
    """The demo loader calls add_demo_records itself (homeward.demo.generator); deleting what it wrote
    lets the function's own counts be checked against the rows."""
    prints = []
    for seed in (3, 3):
        with transaction.atomic():
            load_small_demo(seed)
            assert Plan.objects.exists() and Initiative.objects.exists()
            prints.append(fingerprint())
            if len(prints) == 1:
                clear()
                check_records(add_demo_records(seed=seed, now=NOW))
                assert fingerprint() == prints[0]  # the loader passes the start of the as-of day as now
            transaction.set_rollback(True)
    assert prints[0] == prints[1] and prints[0]


def clear() -> None:
    Action.objects.all().delete()
    Meeting.objects.all().delete()
    PlanEvent.objects.all().delete()
    Plan.objects.all().delete()
    EarlyHelpReferral.objects.all().delete()
    Initiative.objects.all().delete()


def check_records(counts: dict[str, int]) -> None:
    assert counts["trigger plans"] == Plan.objects.filter(kind=PlanKind.TRIGGER_PLAN).count() > 0
    problem_solving = Plan.objects.filter(kind=PlanKind.PROBLEM_SOLVING).count()
    assert 3 <= counts["problem-solving records"] == problem_solving <= 5
    assert counts["multi-agency meetings"] == Meeting.objects.count() == Plan.objects.count()
    assert counts["prevention actions"] == Action.objects.count()
    assert counts["early help referrals"] == EarlyHelpReferral.objects.count() > 0
    assert counts["initiatives"] == Initiative.objects.count() == 8
    # Trigger plans are for people persistent at the demo's now: 3+ episodes in the 90 days before it.
    for plan in Plan.objects.filter(kind=PlanKind.TRIGGER_PLAN):
        recent = Episode.objects.filter(
            person=plan.person, reported_at__gte=NOW - dt.timedelta(days=90), reported_at__lt=NOW
        ).exclude(status="not_recorded")
        assert recent.count() >= 3
        assert plan.created_at < NOW
    # 2–4 actions a meeting, owned by case workers, done ones with a time.
    per_meeting = Meeting.objects.annotate(n=Count("actions")).values_list("n", flat=True)
    assert all(2 <= n <= 4 for n in per_meeting)
    assert not Action.objects.filter(owner__role__in=[Role.ANALYST, Role.AUDITOR, Role.COMMISSIONER]).exists()
    assert not Action.objects.filter(status="done", completed_at=None).exists()
    assert Action.objects.filter(status="open", due_on__lt=AS_OF).exists()  # some overdue, for the demo
    # Every referral is of a child, for their first episode, to a local authority.
    for referral in EarlyHelpReferral.objects.select_related("episode", "referred_to"):
        assert referral.episode.is_child and referral.referred_to.kind == "local_authority"
        assert not Episode.objects.filter(
            person=referral.person, reported_at__lt=referral.episode.reported_at
        ).exists()
    assert all(5000 <= i.amount <= 60000 for i in Initiative.objects.all())
    # A second run adds nothing.
    assert sum(add_demo_records(seed=3, now=NOW).values()) == 0
