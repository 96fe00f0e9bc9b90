"""What the episode lifecycle sets off here: the return home interview referral on every return.

Called from homeward.episodes.hooks.after_found inside episode_mark_found's transaction, so the
referral commits or rolls back with the found record itself.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.identity.models import Organisation, OrganisationKind
from homeward.returns.models import ReturnInterview, ReturnInterviewEvent

if TYPE_CHECKING:
    from homeward.episodes.models import Episode
    from homeward.identity.models import User


def offer_hours() -> int:
    return int(getattr(settings, "HOMEWARD_RHI_OFFER_HOURS", 72))


def needs_return_interview(episode: Episode) -> bool:
    """Every returned child (statutory guidance 2014); vulnerable adults only where the force chooses.

    Nobody found deceased: there is no one to interview.
    """
    from homeward.episodes.models import Status

    if episode.status == Status.FOUND_DECEASED:
        return False
    if episode.is_child:
        return True
    if not getattr(settings, "HOMEWARD_RHI_FOR_VULNERABLE_ADULTS", False):
        return False
    return episode.person.markers.filter(active=True).exists()


def rhi_service_for(episode: Episode) -> Organisation | None:
    """Where the referral goes: the force's return interview service, else the responsible council.

    Councils commission RHIs; where no independent service is set up, the placing authority (for a
    looked-after child) or the council of the district they went missing in takes the referral.
    """
    service = (
        Organisation.objects.filter(kind=OrganisationKind.RHI_SERVICE, force_id=episode.force_id)
        .order_by("name", "pk")
        .first()
    )
    if service is not None:
        return service
    if episode.placing_authority_id:
        return episode.placing_authority
    return episode.district.council


def refer_on_return(*, episode: Episode, actor: User | None) -> None:
    if not needs_return_interview(episode):
        return
    if ReturnInterview.objects.filter(episode=episode).exists():
        return  # one per episode; a repeated hook call must not fail the found record
    now = timezone.now()
    found_at = episode.found_at or now
    service = rhi_service_for(episode)
    rhi = ReturnInterview.objects.create(
        episode=episode,
        person_id=episode.person_id,
        referred_at=now,
        referred_to=service,
        offer_due_at=found_at + dt.timedelta(hours=offer_hours()),
        updated_at=now,
    )
    ReturnInterviewEvent.objects.create(
        rhi=rhi,
        version=1,
        kind="referred",
        summary=f"Referred to {service}" if service else "No return interview service to refer to",
        actor=actor,
        at=now,
    )
    if service is None:
        # Nothing was disclosed to anyone; the referral waits, visible to the force, for a service.
        audit_record(
            actor=actor,
            operation=Operation.COLLECTION,
            event_type="rhi.unrouted",
            object_type="return_interview",
            object_ids=[rhi.pk],
            changed_fields=["referred_at"],
        )
        return
    audit_record(
        actor=actor,
        operation=Operation.DISCLOSURE,
        event_type="rhi.referred",
        object_type="return_interview",
        object_ids=[rhi.pk],
        changed_fields=["referred_to", "offer_due_at"],
        recipient_agency_id=service.pk,
    )
