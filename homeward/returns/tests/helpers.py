"""The return-interview corner of the test world: Force A's RHI service and its workers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import timezone

from homeward.conftest import World, make_user
from homeward.episodes.models import Episode
from homeward.episodes.tests.factories import assess, find, make_ruby, report
from homeward.identity.models import Organisation, OrganisationKind, User
from homeward.identity.roles import Role
from homeward.returns import actions
from homeward.returns.models import ReturnInterview


@dataclass
class RhiWorld:
    world: World
    service: Organisation
    worker: User
    other_worker: User


@pytest.fixture
def rw(world: World) -> RhiWorld:
    service = Organisation.objects.create(
        name="Return Interview Service A", kind=OrganisationKind.RHI_SERVICE, force=world.force
    )
    return RhiWorld(
        world=world,
        service=service,
        worker=make_user("wendy_worker", service, Role.RHI_WORKER),
        other_worker=make_user("walt_worker", service, Role.RHI_WORKER),
    )


def found_ruby(world: World) -> tuple[Episode, ReturnInterview]:
    episode = find(world, assess(world, report(world, make_ruby(world))))
    return episode, ReturnInterview.objects.get(episode=episode)


def assigned(rw: RhiWorld, rhi: ReturnInterview, worker: User | None = None) -> ReturnInterview:
    # A worker of the service allocates: any worker may, until a manager role exists.
    return actions.rhi_assign(
        actor=rw.other_worker, rhi=rhi, expected_version=rhi.version, worker=worker or rw.worker
    )


def offered(rw: RhiWorld, rhi: ReturnInterview) -> ReturnInterview:
    return actions.rhi_record_offer(
        actor=rhi.assigned_to or rw.worker, rhi=rhi, expected_version=rhi.version, offered_at=timezone.now()
    )


COMPLETED = {
    "push_factors": "Arguments with staff about curfew",
    "pull_factors": "Older boyfriend who buys her vapes",
    "where_went": "A flat above the takeaway on Mill Street",
    "disclosures": "Was given alcohol by adults she did not know",
    "support_needed": "CSE worker; help with college place",
    "child_voice": "I just wanted to see Jay.",
}


def completed(rw: RhiWorld, rhi: ReturnInterview) -> ReturnInterview:
    return actions.rhi_record_outcome(
        actor=rw.worker,
        rhi=rhi,
        expected_version=rhi.version,
        data=actions.OutcomeData(outcome="completed", completed_at=timezone.now(), **COMPLETED),
    )
