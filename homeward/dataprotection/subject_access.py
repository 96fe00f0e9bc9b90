"""The subject access export: every record held about a person and every disclosure of them (UK GDPR
Art. 15 / DPA 2018 s.45). Built by dataprotection.selectors.subject_access_export_for, which scopes and logs.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Model, Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from homeward.audit.models import AuditEvent, Operation
from homeward.chronology.selectors import SOURCES
from homeward.dataprotection.records import audit_names, rows_about
from homeward.identity.models import Organisation, User
from homeward.people.models import Person


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, Decimal):
        return str(value)
    return value


def row_dict(obj: Model) -> dict[str, Any]:
    return {field.attname: _value(getattr(obj, field.attname)) for field in obj._meta.concrete_fields}


def _naming_any(names: set[tuple[str, str]]) -> Q:
    """Audit events of these object types; on PostgreSQL also naming one of these ids (`?|` on the jsonb
    array, so the index of object types and a cheap test do the work). Rows are checked again in Python."""
    ids_by_type: dict[str, list[str]] = defaultdict(list)
    for object_type, object_id in names:
        ids_by_type[object_type].append(object_id)
    if connection.vendor != "postgresql":
        return Q(object_type__in=list(ids_by_type))
    q = Q(pk__in=[])
    for object_type, ids in ids_by_type.items():
        q |= Q(object_type=object_type, object_ids__has_any_keys=sorted(ids))
    return q


def subject_access_document(*, actor: User, person: Person) -> dict[str, Any]:
    rows = rows_about(person)
    records: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for obj in rows:
        records[obj._meta.label_lower].append(row_dict(obj))
    names: set[tuple[str, str]] = set()
    for obj in rows:
        names |= audit_names(obj)
    disclosures = []
    events = (
        AuditEvent.objects.filter(operation=Operation.DISCLOSURE).filter(_naming_any(names)).order_by("id")
    )
    organisations = dict(Organisation.objects.values_list("pk", "name"))
    for event in events.iterator(chunk_size=2000):
        named = [i for i in event.object_ids if (event.object_type, str(i)) in names]
        if not named:
            continue
        disclosures.append(
            {
                "audit_event_id": event.pk,
                "occurred_at": event.occurred_at.isoformat(),
                "event_type": event.event_type,
                "record_type": event.object_type,
                "record_ids": named,
                "by_organisation": organisations.get(event.actor_agency_id or 0, ""),
                "recipient_organisation": organisations.get(event.recipient_agency_id or 0, ""),
                "recipient_organisation_id": event.recipient_agency_id,
                "reason": event.reason_text,
            }
        )
    chronology = [
        {
            "at": entry.at.isoformat(),
            "kind": entry.kind,
            "summary": entry.summary,
            "organisation": entry.organisation,
            "record": entry.record,
        }
        for _, _, source in SOURCES
        for entry in source(actor=actor, person=person)
    ]
    chronology.sort(key=lambda e: (e["at"], e["record"]))
    return {
        "subject_access_export": {
            "person_id": person.pk,
            "produced_at": timezone.now().isoformat(),
            "produced_by": actor.username,
            "organisation": actor.organisation.name if actor.organisation else "",
            "about": (
                "Every record Homeward holds about this person (grouped by table), the chronology built from "
                "them, and every disclosure of them to another organisation or system found in the audit log."
            ),
        },
        "records": dict(records),
        "chronology": chronology,
        "disclosures": disclosures,
    }


def subject_access_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=False, default=str) + "\n"
