"""Writes to the breach incident record (P14, DPA 2018 s.67). Each action checks the role, validates,
writes the incident and its history row, and logs its audit event, all in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import (
    BreachCategory,
    BreachIncident,
    BreachIncidentChange,
    BreachStatus,
    IcoDecision,
    Operation,
)
from homeward.errors import EditConflict, IllegalTransition, InvalidInput, NotAllowed
from homeward.identity.roles import Capability
from homeward.versioning import update_if_unchanged

if TYPE_CHECKING:
    from homeward.identity.models import User

# A clock a few minutes fast on the responder's computer must not make "now" look like the future.
CLOCK_SKEW = dt.timedelta(minutes=5)

# The fields a responder edits after opening; the report and closing have their own actions.
EDITABLE_FIELDS = (
    "discovered_at",
    "discovered_by",
    "description",
    "category",
    "person_ids",
    "episode_ids",
    "suspected_user_ids",
    "window_start",
    "window_end",
    "containment",
    "consequences",
    "ico_decision",
    "not_reported_reason",
)

# How each field reads in an incident's history ("Changed containment, window end").
FIELD_LABELS = {
    "discovered_at": "time of discovery",
    "discovered_by": "discovered by",
    "description": "description",
    "category": "category",
    "person_ids": "people",
    "episode_ids": "episodes",
    "suspected_user_ids": "suspected accounts",
    "window_start": "window start",
    "window_end": "window end",
    "containment": "containment",
    "consequences": "likely consequences",
    "ico_decision": "decision on reporting",
    "not_reported_reason": "reason for not reporting",
}

_RECORD_MODELS = {
    "person_ids": ("people.Person", "person", "people"),
    "episode_ids": ("episodes.Episode", "episode", "episodes"),
    "suspected_user_ids": ("identity.User", "user account", "user accounts"),
}


def _require_responder(actor: User) -> int:
    """The actor's organisation, which the incident belongs to; refused to any other role."""
    if not actor.can(Capability.RESPOND_TO_BREACHES) or actor.organisation_id is None:
        raise NotAllowed("Only auditors record personal data breaches.")
    return actor.organisation_id


def _require_own(actor: User, incident: BreachIncident) -> None:
    if incident.organisation_id != actor.organisation_id:
        raise NotAllowed("This incident belongs to another organisation.")


def _check_ids(errors: dict[str, str], fields: dict[str, Any], before: BreachIncident | None) -> None:
    """Every id added names a record that exists: a typo found now, not when the ICO asks. Ids already
    on the incident are not checked again: a record erased since must not block other changes."""
    for name, (label, noun, nouns) in _RECORD_MODELS.items():
        known = set(getattr(before, name)) if before is not None else set()
        ids: Sequence[int] = [i for i in fields[name] if i not in known]
        model = apps.get_model(label)
        found = set(model._default_manager.filter(pk__in=ids).values_list("pk", flat=True))
        missing = [i for i in ids if i not in found]
        if missing:
            listed = ", ".join(str(i) for i in missing[:5])
            errors[name] = (
                f"There is no {noun} with ID {listed}"
                if len(missing) == 1
                else (f"There are no {nouns} with IDs {listed}{'…' if len(missing) > 5 else ''}")
            )


def _to_the_minute(when: dt.datetime | None) -> dt.datetime | None:
    # The pages take times to the minute; storing them so means saving an unchanged form changes nothing.
    return when.replace(second=0, microsecond=0) if when is not None else None


def _validate(fields: dict[str, Any], before: BreachIncident | None = None) -> None:
    """The rules for an incident's fields, whether opened or edited. Times are cut to the minute."""
    for name in ("discovered_at", "window_start", "window_end"):
        fields[name] = _to_the_minute(fields[name])
    errors: dict[str, str] = {}
    now = timezone.now()
    for name, message in (
        ("discovered_by", "Say who discovered the breach"),
        ("description", "Describe what happened"),
    ):
        if not str(fields.get(name) or "").strip():
            errors[name] = message
    if fields["category"] not in BreachCategory.values:
        errors["category"] = "Choose the kind of breach"
    if fields["ico_decision"] not in IcoDecision.values:
        errors["ico_decision"] = "Choose whether it must be reported to the ICO"
    elif fields["ico_decision"] == IcoDecision.NOT_REPORT and not fields["not_reported_reason"].strip():
        errors["not_reported_reason"] = "Give the reason it need not be reported: the ICO may ask for it"
    discovered = fields["discovered_at"]
    if discovered > now + CLOCK_SKEW:
        errors["discovered_at"] = "The time of discovery cannot be in the future"
    start, end = fields["window_start"], fields["window_end"]
    if start > now + CLOCK_SKEW:
        errors["window_start"] = "The start of the window cannot be in the future"
    if end is not None and end < start:
        errors["window_end"] = "The end of the window must be after its start"
    if not (fields["person_ids"] or fields["episode_ids"] or fields["suspected_user_ids"]):
        errors["person_ids"] = "Name at least one person, episode or user account involved"
    _check_ids(errors, fields, before)
    if errors:
        raise InvalidInput(errors)


def _history(incident: BreachIncident, *, version: int, summary: str, actor: User) -> None:
    BreachIncidentChange.objects.create(
        incident=incident, version=version, summary=summary[:500], actor=actor, at=timezone.now()
    )


def _changes_since(incident_id: int, version: int) -> list[dict[str, Any]]:
    changes = BreachIncidentChange.objects.filter(incident_id=incident_id, version__gt=version)
    return [
        {"summary": c.summary, "by": c.actor.display_name, "at": c.at}
        for c in changes.select_related("actor").order_by("version", "id")
    ]


def _save(
    incident: BreachIncident,
    *,
    actor: User,
    expected_version: int,
    event_type: str,
    summary: str,
    **fields: Any,
) -> BreachIncident:
    # The version-checked UPDATE comes first: it takes the row lock, so a simultaneous save waits and
    # then conflicts before writing anything of its own (docs/concurrency.md).
    current = update_if_unchanged(
        BreachIncident,
        pk=incident.pk,
        expected_version=expected_version,
        updated_at=timezone.now(),
        updated_by=actor,
        **fields,
    )
    if current is not None:
        raise EditConflict(
            "Someone else changed this incident after you opened it. Nothing you entered has been saved "
            "yet: check what changed, then submit again.",
            current_version=current,
            changes=_changes_since(incident.pk, expected_version),
        )
    changed = [name for name, value in fields.items() if getattr(incident, name) != value]
    _history(incident, version=expected_version + 1, summary=summary, actor=actor)
    audit_record(
        actor=actor,
        operation=Operation.ALTERATION,
        event_type=event_type,
        object_type="breach_incident",
        object_ids=[incident.pk],
        changed_fields=changed,
    )
    incident.refresh_from_db()
    return incident


@transaction.atomic
def breach_incident_open(
    *,
    actor: User,
    discovered_at: dt.datetime,
    discovered_by: str,
    description: str,
    category: str,
    person_ids: Sequence[int] = (),
    episode_ids: Sequence[int] = (),
    suspected_user_ids: Sequence[int] = (),
    window_start: dt.datetime,
    window_end: dt.datetime | None = None,
    containment: str = "",
    consequences: str = "",
    ico_decision: str = IcoDecision.UNDECIDED,
    not_reported_reason: str = "",
) -> BreachIncident:
    """Record a personal data breach for the actor's organisation. The 72 hours run from `discovered_at`."""
    organisation_id = _require_responder(actor)
    fields: dict[str, Any] = {
        "discovered_at": discovered_at,
        "discovered_by": discovered_by.strip(),
        "description": description.strip(),
        "category": category,
        "person_ids": sorted(set(person_ids)),
        "episode_ids": sorted(set(episode_ids)),
        "suspected_user_ids": sorted(set(suspected_user_ids)),
        "window_start": window_start,
        "window_end": window_end,
        "containment": containment.strip(),
        "consequences": consequences.strip(),
        "ico_decision": ico_decision,
        "not_reported_reason": not_reported_reason.strip(),
    }
    _validate(fields)
    now = timezone.now()
    incident = BreachIncident.objects.create(
        organisation_id=organisation_id,
        opened_by=actor,
        opened_at=now,
        updated_at=now,
        updated_by=actor,
        **fields,
    )
    _history(incident, version=1, summary="Incident opened", actor=actor)
    audit_record(
        actor=actor,
        operation=Operation.COLLECTION,
        event_type="breach_incident.opened",
        object_type="breach_incident",
        object_ids=[incident.pk],
    )
    return incident


@transaction.atomic
def breach_incident_update(
    *, actor: User, incident: BreachIncident, expected_version: int, **changes: Any
) -> BreachIncident:
    """Change what is known about an incident: the records, the window, containment, consequences, the
    decision on reporting. Refused once closed."""
    _require_responder(actor)
    _require_own(actor, incident)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    assert not unknown, f"not editable here: {unknown}"
    if incident.status == BreachStatus.CLOSED:
        raise IllegalTransition("The incident is closed: it can no longer be changed.")
    fields = {name: getattr(incident, name) for name in EDITABLE_FIELDS}
    for name, value in changes.items():
        fields[name] = value.strip() if isinstance(value, str) else value
    for name in ("person_ids", "episode_ids", "suspected_user_ids"):
        fields[name] = sorted(set(fields[name]))
    _validate(fields, before=incident)
    if incident.reported_at is not None and fields["ico_decision"] != IcoDecision.REPORT:
        raise InvalidInput({"ico_decision": "It has been reported to the ICO already"})
    changed = {name: value for name, value in fields.items() if getattr(incident, name) != value}
    if not changed:
        return incident  # saving an unchanged form writes nothing, so it cannot overwrite anyone
    labels = ", ".join(FIELD_LABELS[name] for name in changed)
    return _save(
        incident,
        actor=actor,
        expected_version=expected_version,
        event_type="breach_incident.updated",
        summary=f"Changed {labels}",
        **changed,
    )


@transaction.atomic
def breach_incident_record_report(
    *,
    actor: User,
    incident: BreachIncident,
    expected_version: int,
    reported_at: dt.datetime,
    ico_reference: str = "",
    delay_reason: str = "",
) -> BreachIncident:
    """Record that the breach was reported to the ICO. After the 72 hours, the reasons for the delay are
    required: s.67(4) asks for them with a late report."""
    _require_responder(actor)
    _require_own(actor, incident)
    if incident.status != BreachStatus.OPEN:
        raise IllegalTransition(f"The incident is {incident.get_status_display().lower()} already.")
    reported_at = _to_the_minute(reported_at) or reported_at
    errors: dict[str, str] = {}
    if reported_at > timezone.now() + CLOCK_SKEW:
        errors["reported_at"] = "The time of the report cannot be in the future"
    elif reported_at < incident.discovered_at:
        errors["reported_at"] = "The report cannot be before the breach was discovered"
    elif reported_at > incident.deadline and not delay_reason.strip():
        errors["delay_reason"] = "The report was after the 72 hours: give the reasons for the delay"
    if errors:
        raise InvalidInput(errors)
    return _save(
        incident,
        actor=actor,
        expected_version=expected_version,
        event_type="breach_incident.reported",
        summary="Reported to the ICO"
        + (f" (reference {ico_reference.strip()})" if ico_reference.strip() else ""),
        status=BreachStatus.REPORTED,
        ico_decision=IcoDecision.REPORT,
        reported_at=reported_at,
        ico_reference=ico_reference.strip(),
        delay_reason=delay_reason.strip(),
    )


@transaction.atomic
def breach_incident_close(
    *, actor: User, incident: BreachIncident, expected_version: int, closing_note: str = ""
) -> BreachIncident:
    """Close an incident once the reporting question is settled: reported, or decided not reportable."""
    _require_responder(actor)
    _require_own(actor, incident)
    if incident.status == BreachStatus.CLOSED:
        raise IllegalTransition("The incident is closed already.")
    if incident.status != BreachStatus.REPORTED and incident.ico_decision != IcoDecision.NOT_REPORT:
        raise IllegalTransition(
            "Record the report to the ICO, or the decision that it need not be reported, before closing."
        )
    return _save(
        incident,
        actor=actor,
        expected_version=expected_version,
        event_type="breach_incident.closed",
        summary="Incident closed",
        status=BreachStatus.CLOSED,
        closing_note=closing_note.strip(),
    )
