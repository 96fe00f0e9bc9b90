"""Automatic notifications to partners when an episode is reported or found (SPEC §3).

Called by the episode actions through homeward.episodes.hooks, inside their transaction: the
notifications and their audit events commit or roll back with the report or found record itself.
Emails go out only after commit, so a rolled-back report never emails anyone.

Who is told (from the snapshot the episode took at report time, so later edits to the person do not
change who was told):
- children's social care: the council of the district, for every missing child;
- an out-of-area placement: the placing authority AND the host authority (the district's council);
- the care provider or NHS trust running the premises the person went missing from;
- on found: everyone told at report time, and anyone the same rules give now.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.episodes.sharing import bases_for
from homeward.identity.models import Organisation, User
from homeward.identity.roles import ROLE_CAPABILITIES, Capability
from homeward.identity.sharing_rules import Basis
from homeward.notifications.models import DeliveryStatus, Event, Notification, Reason
from homeward.notifications.tasks import send_notification_email

if TYPE_CHECKING:
    from homeward.episodes.models import Episode


# The sharing basis each reason to notify rests on (identity.sharing_rules).
REASON_BASIS: dict[str, str] = {
    Reason.CHILD_MISSING_CSC: Basis.HOST_AUTHORITY_CHILDREN,
    Reason.CHILD_HOME_AUTHORITY: Basis.HOME_AUTHORITY_CHILDREN,
    Reason.OUT_OF_AREA_PLACING_AUTHORITY: Basis.PLACING_AUTHORITY,
    Reason.OUT_OF_AREA_HOST_AUTHORITY: Basis.HOST_AUTHORITY_CHILDREN,
    Reason.MISSING_FROM_PROVIDER: Basis.MISSING_FROM_PREMISES,
}


def recipients_for(episode: Episode) -> dict[int, tuple[Organisation, str]]:
    """The organisations the rules say to tell about this episode, each with its reason.

    Several rules can pick the same organisation (a council running its own children's home); the
    first, most specific, reason is kept, so each organisation is told once per event.
    """
    found: dict[int, tuple[Organisation, str]] = {}

    def add(org: Organisation | None, reason: str) -> None:
        # The force that owns the episode is never "notified" of its own case; and nobody is told
        # about an episode the sharing rules (data) do not let them open.
        if org is None or org.pk == episode.force_id or org.pk in found:
            return
        if REASON_BASIS[reason] in bases_for(org):
            found[org.pk] = (org, reason)

    host = episode.district.council
    if episode.out_of_area:
        add(episode.placing_authority, Reason.OUT_OF_AREA_PLACING_AUTHORITY)
        add(host, Reason.OUT_OF_AREA_HOST_AUTHORITY)
    if episode.is_child:
        add(host, Reason.CHILD_MISSING_CSC)
        # A child missing away from home: the council where they live needs to know too.
        home_district = episode.person.home_district
        add(home_district.council if home_district is not None else None, Reason.CHILD_HOME_AUTHORITY)
    # The provider at report time, so a later change of operator does not change who was told.
    add(episode.premises_provider, Reason.MISSING_FROM_PROVIDER)
    return found


@transaction.atomic
def notify_reported(*, episode: Episode, actor: User | None) -> None:
    _notify(episode, actor, Event.REPORTED, recipients_for(episode))


@transaction.atomic
def notify_found(*, episode: Episode, actor: User | None) -> None:
    # Everyone told that the person was missing must hear that they are found, even if the rules
    # would no longer pick them (a council boundary or a home's operator changed meanwhile).
    targets: dict[int, tuple[Organisation, str]] = {
        n.recipient_id: (n.recipient, n.reason)
        for n in Notification.objects.filter(episode=episode, event=Event.REPORTED)
        .select_related("recipient")
        .order_by("id")
    }
    for org_id, target in recipients_for(episode).items():
        targets.setdefault(org_id, target)
    _notify(episode, actor, Event.FOUND, targets)


@transaction.atomic
def notify_not_recorded(*, episode: Episode, actor: User | None) -> None:
    """Everyone told a report was made hears it was not recorded as a missing episode."""
    _notify(episode, actor, Event.NOT_RECORDED, _told_at_report(episode))


@transaction.atomic
def notify_recorded_on_appeal(*, episode: Episode, actor: User | None) -> None:
    """An appeal overturned a decision not to record: tell everyone told before, and anyone the rules
    pick now, that this is a missing episode after all."""
    targets = _told_at_report(episode)
    for org_id, target in recipients_for(episode).items():
        targets.setdefault(org_id, target)
    _notify(episode, actor, Event.RECORDED_ON_APPEAL, targets)


def _told_at_report(episode: Episode) -> dict[int, tuple[Organisation, str]]:
    return {
        n.recipient_id: (n.recipient, n.reason)
        for n in Notification.objects.filter(episode=episode, event=Event.REPORTED)
        .select_related("recipient")
        .order_by("id")
    }


def _notify(
    episode: Episode, actor: User | None, event: str, targets: dict[int, tuple[Organisation, str]]
) -> list[Notification]:
    already = set(
        Notification.objects.filter(episode=episode, event=event).values_list("recipient_id", flat=True)
    )
    now = timezone.now()
    created = []
    for org_id, (org, reason) in targets.items():
        if org_id in already:
            continue
        notification = Notification.objects.create(
            episode=episode,
            recipient=org,
            reason=reason,
            event=event,
            status=DeliveryStatus.PENDING,
            created_at=now,
            created_by=actor,
            email_to="\n".join(email_addresses_for(org)),
        )
        # The notification makes the episode appear in the recipient's inbox: that is the disclosure.
        audit_record(
            actor=actor,
            operation=Operation.DISCLOSURE,
            event_type="notification.sent",
            object_type="episode",
            object_ids=[episode.pk],
            recipient_agency_id=org.pk,
            reason=f"{event}: {reason}",
        )
        # robust: the report is committed by then; a queue hiccup must not turn it into an error page.
        transaction.on_commit(
            functools.partial(send_notification_email.enqueue, notification.pk), robust=True
        )
        created.append(notification)
    return created


def email_addresses_for(org: Organisation) -> list[str]:
    """The organisation's shared mailbox, then each active colleague whose role works on cases."""
    case_roles = [role for role, caps in ROLE_CAPABILITIES.items() if Capability.VIEW_CASES in caps]
    people = (
        User.objects.filter(organisation=org, is_active=True, role__in=case_roles)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
    )
    addresses: list[str] = []
    seen: set[str] = set()
    for address in [org.email, *people]:
        key = address.strip().lower()
        if key and key not in seen:
            seen.add(key)
            addresses.append(address.strip())
    return addresses
