"""Reading the audit log: only the auditor role, and every read is itself logged (AUD-8)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from homeward.audit.log import audit_consultation, audit_record
from homeward.audit.models import AuditEvent, BreachIncident, BreachIncidentChange, BreachStatus, Operation
from homeward.errors import NotAllowed
from homeward.identity.roles import Capability, Role

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


def _linked_records(linked: dict[str, tuple[str, str]], value: int) -> dict[str, list[str]]:
    """The ids, by record type, of the records whose `path` is `value` (e.g. a person's episodes)."""
    found: dict[str, list[str]] = {}
    for object_type, (label, path) in linked.items():
        model = apps.get_model(label)
        ids = [str(pk) for pk in model._default_manager.filter(**{path: value}).values_list("pk", flat=True)]
        if ids:
            found[object_type] = ids
    return found


def _about_person(person_id: int) -> Q:
    # Ids only: the auditor sees which records an event is about, never what they hold.
    q = _mentions("person", [str(person_id)])
    for object_type, ids in _linked_records(PERSON_LINKED, person_id).items():
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


# --- Breach response (P14): the incident record and "who saw what" -----------------------------------

# Record types about one episode, and how each reaches it: "who saw what" about an episode includes them.
EPISODE_LINKED: dict[str, tuple[str, str]] = {
    "return_interview": ("returns.ReturnInterview", "episode_id"),
    "family_contact": ("families.FamilyContact", "episode_id"),
    "early_help_referral": ("prevention.EarlyHelpReferral", "episode_id"),
}

# Every kind of processing that touches a record's content. The brief's core is consultation, disclosure
# and alteration; collection, combination and erasure are kept because an integrity breach is about
# records made, merged or erased as much as changed. Sign-in and admin events name no case records.
TOUCHING_OPERATIONS = (
    Operation.CONSULTATION,
    Operation.DISCLOSURE,
    Operation.ALTERATION,
    Operation.COLLECTION,
    Operation.COMBINATION,
    Operation.ERASURE,
)
# What a suspected account "saw": the records shown to it and the records it sent or downloaded.
SEEING_OPERATIONS = (Operation.CONSULTATION, Operation.DISCLOSURE)


def _require_breach_responder(actor: User) -> int:
    """The actor's organisation, whose incidents they may see; refused to any other role."""
    if not actor.can(Capability.RESPOND_TO_BREACHES) or actor.organisation_id is None:
        raise NotAllowed("Only auditors may see breach incidents.")
    return actor.organisation_id


def breach_incidents_for(*, actor: User) -> list[BreachIncident]:
    """The incidents of the actor's organisation: open ones first, the nearest deadline first. Logged."""
    organisation_id = _require_breach_responder(actor)
    incidents = list(BreachIncident.objects.filter(organisation_id=organisation_id))
    order: dict[str, int] = {BreachStatus.OPEN: 0, BreachStatus.REPORTED: 1, BreachStatus.CLOSED: 2}

    def urgency(incident: BreachIncident) -> tuple[int, float]:
        # Open ones by the nearest deadline; the rest by the latest discovered.
        stamp = incident.deadline.timestamp()
        return (order.get(incident.status, 3), stamp if incident.status == BreachStatus.OPEN else -stamp)

    incidents.sort(key=urgency)
    if incidents:
        audit_consultation(
            actor=actor,
            event_type="breach_incident.listed",
            object_type="breach_incident",
            object_ids=[i.pk for i in incidents],
        )
    return incidents


def breach_incident_for(*, actor: User, pk: int, log: bool = True) -> BreachIncident:
    """One incident of the actor's organisation; another organisation's is the same 404 as a missing one.
    `log=False` for the form pages, whose action logs the change (the page shows only what is typed)."""
    organisation_id = _require_breach_responder(actor)
    incident = BreachIncident.objects.filter(pk=pk, organisation_id=organisation_id).first()
    if incident is None:
        raise Http404("No such incident")
    if log:
        audit_consultation(
            actor=actor, event_type="breach_incident.viewed", object_type="breach_incident", object_ids=[pk]
        )
    return incident


def breach_incident_history(incident: BreachIncident) -> list[BreachIncidentChange]:
    """The incident's saved changes, oldest first (shown with the incident, logged with it)."""
    return list(incident.changes.select_related("actor").order_by("version", "id"))


def incident_records(incident: BreachIncident) -> dict[tuple[str, str], str]:
    """Every (record type, id) the incident's people and episodes cover, with how it reads on the page:
    the person or episode itself, and each record about them (their episodes, interviews, plans…)."""
    names: dict[tuple[str, str], str] = {}
    for person_id in incident.person_ids:
        names[("person", str(person_id))] = f"person {person_id}"
    for episode_id in incident.episode_ids:
        names[("episode", str(episode_id))] = f"episode {episode_id}"
    for person_id in incident.person_ids:
        for object_type, ids in _linked_records(PERSON_LINKED, person_id).items():
            for i in ids:
                names.setdefault(
                    (object_type, i), f"{object_type.replace('_', ' ')} {i} (person {person_id})"
                )
    for episode_id in incident.episode_ids:
        for object_type, ids in _linked_records(EPISODE_LINKED, episode_id).items():
            for i in ids:
                names.setdefault(
                    (object_type, i), f"{object_type.replace('_', ' ')} {i} (episode {episode_id})"
                )
    return names


def _events() -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if connection.vendor != "postgresql":
        events = events.annotate(ids_text=Cast("object_ids", TextField()))
    return events


def _in_window(events: QuerySet[AuditEvent], incident: BreachIncident) -> QuerySet[AuditEvent]:
    events = events.filter(occurred_at__gte=incident.window_start)
    if incident.window_end is not None:
        # Times are given to the minute: the window runs to the end of its last minute.
        events = events.filter(occurred_at__lt=incident.window_end + dt.timedelta(minutes=1))
    return events


@dataclass(frozen=True)
class EventRow:
    """One audit event as the breach pages show it: who, from where, which of the incident's records."""

    event: AuditEvent
    username: str
    role: str  # the role the user acted in, as people read it
    organisation: str
    recipient: str
    records: tuple[str, ...]  # the incident's records this event names
    other_records: int  # records it names outside the incident (e.g. the rest of a search result)

    def as_columns(self) -> dict[str, Any]:
        """The extra columns of the downloads (beside the audit export's own)."""
        return {
            "actor_username": self.username,
            "actor_role": self.role,
            "actor_organisation": self.organisation,
            "recipient_organisation": self.recipient,
            "incident_records": list(self.records),
            "other_records": self.other_records,
        }


def event_rows(events: list[AuditEvent], names: dict[tuple[str, str], str] | None = None) -> list[EventRow]:
    """Events with their people and organisations named. With `names`, only those records are listed."""
    # Imported here, like the models of PERSON_LINKED: this module must import before the app registry.
    from homeward.identity.models import Organisation
    from homeward.identity.models import User as UserModel

    usernames = dict(
        UserModel.objects.filter(pk__in={e.actor_user_id for e in events if e.actor_user_id}).values_list(
            "pk", "username"
        )
    )
    org_ids = {e.actor_agency_id for e in events} | {e.recipient_agency_id for e in events}
    organisations = dict(Organisation.objects.filter(pk__in=org_ids - {None}).values_list("pk", "name"))
    rows = []
    for e in events:
        if names is None:
            records = tuple(f"{e.object_type.replace('_', ' ')} {i}" for i in e.object_ids)
        else:
            records = tuple(
                names[(e.object_type, str(i))] for i in e.object_ids if (e.object_type, str(i)) in names
            )
        rows.append(
            EventRow(
                event=e,
                username=usernames.get(e.actor_user_id or 0, ""),
                role=Role(e.acting_as).label if e.acting_as in Role.values else e.acting_as,
                organisation=organisations.get(e.actor_agency_id or 0, ""),
                recipient=organisations.get(e.recipient_agency_id or 0, ""),
                records=records,
                other_records=len(e.object_ids) - len(records) if names is not None else 0,
            )
        )
    return rows


def breach_events_touching(*, actor: User, incident: BreachIncident) -> QuerySet[AuditEvent]:
    """ "Who saw what": every event inside the incident's window that processed one of its records, by
    anyone, oldest first. Not logged here: the page logs the events it shows, a download its disclosure."""
    _require_breach_responder(actor)
    if incident.organisation_id != actor.organisation_id:
        raise Http404("No such incident")
    names = incident_records(incident)
    if not names:
        return AuditEvent.objects.none()
    by_type: dict[str, list[str]] = {}
    for object_type, object_id in names:
        by_type.setdefault(object_type, []).append(object_id)
    q = Q(pk__in=[])
    for object_type, ids in by_type.items():
        q |= _mentions(object_type, ids)
    events = _in_window(_events().filter(q, operation__in=TOUCHING_OPERATIONS), incident)
    return events.order_by("id")


def breach_account_events(*, actor: User, incident: BreachIncident, user_id: int) -> QuerySet[AuditEvent]:
    """ "What did this user see": the account's consultations and disclosures inside the window, oldest
    first. Only an account the incident names as suspected (404 otherwise, like any other id)."""
    _require_breach_responder(actor)
    if incident.organisation_id != actor.organisation_id or user_id not in incident.suspected_user_ids:
        raise Http404("No such account in this incident")
    events = AuditEvent.objects.filter(actor_user_id=user_id, operation__in=SEEING_OPERATIONS)
    return _in_window(events, incident).order_by("id")


@dataclass(frozen=True)
class RecordSeen:
    object_type: str
    object_id: str
    times: int
    first: dt.datetime
    last: dt.datetime


def records_seen(events: list[AuditEvent]) -> list[RecordSeen]:
    """Each record the events name, once, with how often and when: the account's footprint."""
    seen: dict[tuple[str, str], list[dt.datetime]] = {}
    for e in events:
        if not e.object_type:
            continue
        for i in e.object_ids:
            seen.setdefault((e.object_type, str(i)), []).append(e.occurred_at)
    return [
        RecordSeen(object_type, object_id, len(times), min(times), max(times))
        for (object_type, object_id), times in sorted(
            seen.items(), key=lambda kv: (kv[0][0], _as_number(kv[0][1]))
        )
    ]


def _as_number(text: str) -> tuple[int, str]:
    return (int(text), "") if text.isdigit() else (0, text)


PAGE_SIZE = 50
# Beyond this many, the event logging a read lists the count, not every id (as the exports do).
MAX_LOGGED_IDS = 10_000


def _log_read(actor: User, events: list[AuditEvent], reason: str) -> None:
    # Reading the log is processing too (AUD-8): name the events whose contents were shown.
    ids = [e.pk for e in events]
    audit_record(
        actor=actor,
        operation=Operation.CONSULTATION,
        event_type="audit_log.viewed",
        object_type="audit_event",
        object_ids=ids if len(ids) <= MAX_LOGGED_IDS else [],
        reason=reason if len(ids) <= MAX_LOGGED_IDS else f"{reason}; {len(ids)} events (ids not listed)",
    )


def breach_who_saw_what_page_for(
    *, actor: User, incident: BreachIncident, page: str | None
) -> tuple[Page[AuditEvent], list[EventRow]]:
    """One page (oldest first) of the events touching the incident's records; logs the events shown."""
    events = breach_events_touching(actor=actor, incident=incident)
    page_obj = Paginator(events, PAGE_SIZE).get_page(page)
    shown = list(page_obj.object_list)
    if shown:
        _log_read(actor, shown, f"breach incident {incident.pk}: who saw what")
    return page_obj, event_rows(shown, incident_records(incident))


def breach_account_activity_for(
    *, actor: User, incident: BreachIncident, user_id: int
) -> tuple[list[RecordSeen], list[EventRow]]:
    """Every record the suspected account was shown or sent in the window, and the events saying so;
    logs the events read."""
    events = list(breach_account_events(actor=actor, incident=incident, user_id=user_id))
    if events:
        _log_read(actor, events, f"breach incident {incident.pk}: what user {user_id} saw")
    return records_seen(events), event_rows(events)
