"""Demo family contact log entries, added after the bulk demo load (the lead calls `add_demo_records`).

A sample of the episodes of children missing from private homes get one to three contacts with the
family — usually the person who reported them — about 60% of them signposted to support. Capped,
bulk-created, deterministic for a seed, with one audit event for the load rather than one per row (as
the bulk demo load does).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.episodes.models import Episode, Status
from homeward.families.models import ContactDirection, ContactMethod, FamilyContact, SupportService
from homeward.identity.models import OrganisationKind, User
from homeward.identity.roles import Role
from homeward.places.models import LocationCategory

# Share of eligible episodes that get a family contact log, and the most rows this adds.
EPISODE_SHARE = 0.4
MAX_ROWS = 3000
SIGNPOSTED_SHARE = 0.6
LOGGING_ROLES = (Role.OFFICER, Role.SUPERVISOR, Role.CALL_HANDLER)

_METHODS = (
    (ContactMethod.PHONE, 0.6),
    (ContactMethod.VISIT, 0.25),
    (ContactMethod.TEXT, 0.08),
    (ContactMethod.EMAIL, 0.04),
    (ContactMethod.OTHER, 0.03),
)
_SERVICES = (
    (SupportService.MISSING_PEOPLE, 0.45),
    (SupportService.FAMILY_SUPPORT, 0.2),
    (SupportService.EARLY_HELP, 0.15),
    (SupportService.VICTIM_SUPPORT, 0.05),
    (SupportService.NSPCC, 0.06),
    (SupportService.CHILDLINE, 0.06),
    (SupportService.OTHER, 0.03),
)
_OUTBOUND = (
    "Update given on the enquiries so far; asked about friends and places the child goes.",
    "Told the family the risk assessment has been reviewed; they have no new information.",
    "Asked for a recent photo and the child's phone number; the family will send both.",
    "Welfare call: the family are worried and asked what happens next; explained the search.",
)
_INBOUND = (
    "The family rang with a sighting from a neighbour near the shops; passed to the officer.",
    "The family called to ask for an update and said the child has messaged a cousin.",
    "The family reported that the child's social media was active last night.",
)
_AFTER = "Follow-up after the return: the family were told about the return home interview."
# Other relatives the police speak to: (relationship, whether a woman).
_RELATIVES = (
    ("Mother", True),
    ("Father", False),
    ("Grandmother", True),
    ("Aunt", True),
    ("Stepfather", False),
    ("Older sister", True),
)
_WOMEN = ("Sarah", "Amina", "Joanne", "Katarzyna", "Nicola", "Shabana", "Lisa", "Grace")
_MEN = ("Mark", "Tariq", "Paul", "Darren", "Imran", "Tomasz", "Lee", "Wayne")


def _weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    roll, acc = rng.random() * sum(w for _, w in options), 0.0
    for value, weight in options:
        acc += weight
        if roll < acc:
            return value
    return options[-1][0]


@transaction.atomic
def add_demo_records(*, seed: int, now: dt.datetime) -> dict[str, int]:
    rng = random.Random(f"homeward-demo-families:{seed}")
    episodes = list(
        Episode.objects.filter(is_child=True, missing_from_category=LocationCategory.PRIVATE_HOME)
        .exclude(status=Status.NOT_RECORDED)
        .filter(reported_at__lt=now)
        .order_by("reference")
        .values_list(
            "pk",
            "force_id",
            "reported_at",
            "found_at",
            "reporting_person_name",
            "reporting_person_relationship",
            "person__family_name",
        )
    )
    loggers: dict[int, list[User]] = {}
    for user in User.objects.filter(
        role__in=LOGGING_ROLES, is_active=True, organisation__kind=OrganisationKind.POLICE_FORCE
    ).order_by("pk"):
        assert user.organisation_id is not None
        loggers.setdefault(user.organisation_id, []).append(user)
    chosen = [e for e in episodes if rng.random() < EPISODE_SHARE]
    rng.shuffle(chosen)
    rows: list[FamilyContact] = []
    logged_episodes = 0
    for pk, force_id, reported_at, found_at, reporter, relationship, family_name in chosen:
        staff = loggers.get(force_id)
        if not staff:
            continue
        count = rng.randint(1, 3)
        if len(rows) + count > MAX_ROWS:
            break
        logged_episodes += 1
        end = min(found_at or now, now)
        span = max(end - reported_at, dt.timedelta(minutes=30))
        times = sorted(reported_at + span * rng.uniform(0.05, 1.0) for _ in range(count))
        for index, at in enumerate(times):
            if (
                index == count - 1
                and found_at is not None
                and found_at + dt.timedelta(days=1) < now
                and count > 1
            ):
                at = found_at + dt.timedelta(hours=rng.uniform(2, 20))
                summary, direction = _AFTER, ContactDirection.OUTBOUND
            elif rng.random() < 0.7:
                summary, direction = rng.choice(_OUTBOUND), ContactDirection.OUTBOUND
            else:
                summary, direction = rng.choice(_INBOUND), ContactDirection.INBOUND
            if rng.random() < 0.8:
                name, relation = reporter, relationship
            else:
                relation, woman = rng.choice(_RELATIVES)
                name = f"{rng.choice(_WOMEN if woman else _MEN)} {family_name}"
            signposted = rng.random() < SIGNPOSTED_SHARE
            services = (
                sorted({_weighted(rng, _SERVICES) for _ in range(rng.randint(1, 2))}) if signposted else []
            )
            signposted_at = at + dt.timedelta(minutes=rng.randint(0, 20)) if signposted else None
            if signposted_at is not None and signposted_at > now:
                signposted_at = now
            user = rng.choice(staff)
            rows.append(
                FamilyContact(
                    episode_id=pk,
                    contacted_at=at,
                    contact_name=name,
                    relationship=relation,
                    method=_weighted(rng, _METHODS),
                    direction=direction,
                    summary=summary,
                    signposted=signposted,
                    signposted_to=services,
                    signposted_other="Local young carers' group" if SupportService.OTHER in services else "",
                    signposted_at=signposted_at,
                    recorded_by=user,
                    organisation_id=force_id,
                    recorded_at=min(
                        now, max(at, signposted_at or at) + dt.timedelta(minutes=rng.randint(5, 90))
                    ),
                )
            )
    FamilyContact.objects.bulk_create(rows, batch_size=1000)
    audit_record(
        actor=None,
        operation=Operation.COLLECTION,
        event_type="demo.family_contacts_loaded",
        object_type="family_contact",
        reason=f"seed={seed} rows={len(rows)}",
    )
    return {
        "family contacts": len(rows),
        "episodes with family contacts": logged_episodes,
        "family contacts signposted to support": sum(1 for r in rows if r.signposted),
    }
