"""Reads of notifications, scoped to the actor's organisation and logged as consultations.

A notification tells an organisation that an episode exists; it does not by itself let them see the
person. Names appear only for episodes the actor's organisation may open (homeward.episodes.sharing),
so a notification can never leak a name the sharing rules would withhold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from homeward.audit.log import audit_consultation
from homeward.chronology.entries import ChronologyEntry
from homeward.episodes.models import OPEN_STATUSES, Episode
from homeward.episodes.selectors import episodes_visible_to
from homeward.identity.models import OrganisationKind, User
from homeward.identity.roles import Capability
from homeward.notifications.models import UNREAD_STATUSES, Notification
from homeward.people.models import Person

INBOX_PAGE_SIZE = 50


def _inbox_of(actor: User) -> QuerySet[Notification]:
    """Every notification addressed to the actor's organisation, if the actor's role works on cases.

    The role matters as well as the organisation, as in the sharing rules: an auditor or administrator
    of a council is not its missing officer.
    """
    if not actor.is_active or actor.organisation_id is None or not actor.can(Capability.VIEW_CASES):
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=actor.organisation_id)


def _visible_ids(actor: User, episode_ids: set[int]) -> set[int]:
    if not episode_ids:
        return set()
    return set(episodes_visible_to(actor).filter(pk__in=episode_ids).values_list("pk", flat=True))


def unread_count_for(*, actor: User) -> int:
    """For the menu: a number only, so not a consultation of anyone's record."""
    return _inbox_of(actor).filter(status__in=UNREAD_STATUSES).count()


@dataclass
class InboxRow:
    notification: Notification
    # Whether the actor may open the episode; only then are the name and link shown.
    visible: bool

    @property
    def person_name(self) -> str:
        return self.notification.episode.person.full_name if self.visible else ""


@dataclass
class InboxPage:
    rows: list[InboxRow]
    page: Page[Notification]
    unread: int


def inbox_page_for(*, actor: User, page: int = 1, unread_only: bool = False) -> InboxPage:
    """One page of the inbox, newest first, with the organisation's total unread."""
    notifications = _inbox_of(actor)
    unread = notifications.filter(status__in=UNREAD_STATUSES).count()
    if unread_only:
        notifications = notifications.filter(status__in=UNREAD_STATUSES)
    paginator = Paginator(
        notifications.select_related("episode", "episode__person", "read_by").order_by("-created_at", "-id"),
        INBOX_PAGE_SIZE,
    )
    page_obj = paginator.get_page(page)
    items = list(page_obj.object_list)
    visible = _visible_ids(actor, {n.episode_id for n in items})
    audit_consultation(
        actor=actor,
        event_type="notification.listed",
        object_type="episode",
        object_ids=sorted({n.episode_id for n in items if n.episode_id in visible}),
    )
    return InboxPage(
        rows=[InboxRow(notification=n, visible=n.episode_id in visible) for n in items],
        page=page_obj,
        unread=unread,
    )


@dataclass
class MissingNowRow:
    episode: Episode
    visible: bool
    minutes_missing: int

    @property
    def person_name(self) -> str:
        return self.episode.person.full_name if self.visible else ""


def missing_now_for(*, actor: User) -> list[MissingNowRow]:
    """Episodes the actor's organisation was told about whose person is still missing, newest first."""
    notified = _inbox_of(actor).values("episode_id")
    episodes = list(
        Episode.objects.filter(pk__in=notified, status__in=OPEN_STATUSES)
        .select_related("person", "district", "missing_from")
        .order_by("-reported_at")
    )
    visible = _visible_ids(actor, {e.pk for e in episodes})
    now = timezone.now()
    rows = [
        MissingNowRow(
            episode=e,
            visible=e.pk in visible,
            minutes_missing=max(0, int((now - e.reported_at) / dt.timedelta(minutes=1))),
        )
        for e in episodes
    ]
    audit_consultation(
        actor=actor,
        event_type="episode.listed",
        object_type="episode",
        object_ids=[r.episode.pk for r in rows if r.visible],
    )
    return rows


def notification_for(*, actor: User, pk: int) -> Notification:
    """A notification addressed to the actor's organisation; the same 404 for "missing" and "not yours"."""
    notification = _inbox_of(actor).select_related("episode").filter(pk=pk).first()
    if notification is None:
        raise Http404("No such notification")
    return notification


def episode_is_visible(*, actor: User, episode_id: int) -> bool:
    return episodes_visible_to(actor).filter(pk=episode_id).exists()


def notifications_for_episode(*, actor: User, episode: Episode) -> list[Notification]:
    """For the episode page: the owning force sees everyone told; a partner sees only its own.

    Not logged as a consultation: the page showing it has already logged that the episode was viewed,
    and the panel adds only organisation names and delivery times, nothing about the person.
    """
    org = actor.organisation
    if org is None or not actor.is_active or not actor.can(Capability.VIEW_CASES):
        return []
    notifications = Notification.objects.filter(episode=episode).select_related("recipient", "read_by")
    if not (org.is_police and org.pk == episode.force_id):
        notifications = notifications.filter(recipient=org)
    return list(notifications.order_by("created_at", "id"))


def chronology_entries_for(*, actor: User, person: Person) -> list[ChronologyEntry]:
    """Who was told, for a person's chronology: the sending force sees every notification of its
    episodes; any other organisation sees those addressed to it. Only episodes the actor may see."""
    visible = episodes_visible_to(actor).filter(person=person)
    notifications = Notification.objects.filter(episode__in=visible).select_related("episode", "recipient")
    if actor.organisation is None or actor.organisation.kind != OrganisationKind.POLICE_FORCE:
        notifications = notifications.filter(recipient_id=actor.organisation_id)
    return [
        ChronologyEntry(
            n.created_at,
            "Partner told",
            f"{n.episode.reference}: {n.recipient.name} — {n.get_event_display().lower()} ({n.get_reason_display().lower()})",
            n.episode.force.name,
            f"notifications.notification:{n.pk}",
            reverse("episode_detail", args=[n.episode_id]),
        )
        for n in notifications.select_related("episode__force")
    ]
