"""Reading the audit log: only the auditor role, and every read is itself logged (AUD-8)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from homeward.audit.models import AuditEvent
from homeward.errors import NotAllowed
from homeward.identity.roles import Capability

if TYPE_CHECKING:
    from homeward.identity.models import User


@dataclass(frozen=True)
class AuditSearch:
    """What the auditor asked for. Every criterion is optional; all given ones must hold."""

    person_id: int | None = None
    object_type: str = ""
    object_id: str = ""
    user_id: int | None = None
    operation: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def describe(self) -> str:
        """The criteria as ids and dates only, for the reason of the event logging this read."""
        parts = [
            f"{name}={value}"
            for name, value in (
                ("person", self.person_id),
                ("record_type", self.object_type),
                ("record", self.object_id),
                ("user", self.user_id),
                ("operation", self.operation),
                ("from", self.date_from),
                ("to", self.date_to),
            )
            if value not in (None, "")
        ]
        return "search: " + (" ".join(parts) if parts else "everything")


def _mentions(object_type: str, ids: list[str]) -> Q:
    """Events about any of these records of this type (object_ids is a JSON list of strings)."""
    if not ids:
        return Q(pk__in=[])
    if connection.vendor == "postgresql":
        q = Q()
        for i in ids:
            q |= Q(object_ids__contains=[i])
        return Q(object_type=object_type) & q
    # SQLite has no JSON containment: match the quoted id inside the JSON text.
    q = Q()
    for i in ids:
        q |= Q(ids_text__contains=f'"{i}"')
    return Q(object_type=object_type) & q


# Record types whose events are about one person, and how each reaches the person: a person search finds
# events about the person record and about each of these records of theirs.
PERSON_LINKED: dict[str, tuple[str, str]] = {
    "episode": ("episodes.Episode", "person_id"),
    "return_interview": ("returns.ReturnInterview", "person_id"),
    "family_contact": ("families.FamilyContact", "episode__person_id"),
    "protocol_profile": ("protocols.ProtocolProfile", "person_id"),
    "profile_report": ("protocols.ProfileMissingReport", "profile__person_id"),
    "prevention_plan": ("prevention.Plan", "person_id"),
    "prevention_meeting": ("prevention.Meeting", "person_id"),
    "early_help_referral": ("prevention.EarlyHelpReferral", "person_id"),
}


def _about_person(person_id: int) -> Q:
    # Ids only: the auditor sees which records an event is about, never what they hold.
    q = _mentions("person", [str(person_id)])
    for object_type, (label, path) in PERSON_LINKED.items():
        model = apps.get_model(label)
        ids = [
            str(pk) for pk in model._default_manager.filter(**{path: person_id}).values_list("pk", flat=True)
        ]
        if ids:
            q |= _mentions(object_type, ids)
    return q


def audit_events_for(*, actor: User, search: AuditSearch) -> QuerySet[AuditEvent]:
    """The events matching the search, newest first. Refused to every role but the auditor's."""
    if not actor.can(Capability.READ_AUDIT_LOG):
        raise NotAllowed("Only auditors may read the audit log.")
    events = AuditEvent.objects.all()
    if connection.vendor != "postgresql":
        events = events.annotate(ids_text=Cast("object_ids", TextField()))
    if search.person_id is not None:
        events = events.filter(_about_person(search.person_id))
    if search.object_type:
        events = events.filter(object_type=search.object_type)
    if search.object_id:
        events = events.filter(_mentions(search.object_type, [search.object_id]))
    if search.user_id is not None:
        events = events.filter(actor_user_id=search.user_id)
    if search.operation:
        events = events.filter(operation=search.operation)
    tz = timezone.get_current_timezone()
    if search.date_from is not None:
        start = dt.datetime.combine(search.date_from, dt.time.min, tzinfo=tz)
        events = events.filter(occurred_at__gte=start)
    if search.date_to is not None:
        end = dt.datetime.combine(search.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        events = events.filter(occurred_at__lt=end)
    return events.order_by("-id")


def audit_object_types() -> list[str]:
    """The kinds of record the log mentions, for the search form."""
    # order_by() clears the model's default ordering, which would otherwise make every row distinct.
    types = AuditEvent.objects.exclude(object_type="").order_by().values_list("object_type", flat=True)
    return sorted(set(types.distinct()))
