"""Audit events as a CSV or JSON attachment, logged as a disclosure (AUD-3, AUD-8).

One place for every download of the log: the auditor's export of a search, and the breach pages'
"who saw what" and "what did this user see" (P14). Each is a disclosure to the auditor's organisation
naming the events it holds, written before the file is handed over.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import AuditEvent, Operation

if TYPE_CHECKING:
    from homeward.identity.models import User

EXPORT_LIMIT = 50_000
# Beyond this many, an export's event lists the count of rows, not every id (like the report exports).
MAX_LISTED_IDS = 10_000
CSV_COLUMNS = [
    "id",
    "occurred_at",
    "operation",
    "event_type",
    "object_type",
    "object_ids",
    "changed_fields",
    "actor_user_id",
    "actor_agency_id",
    "acting_as",
    "recipient_agency_id",
    "reason_text",
    "outcome",
    "request_id",
    "ip",
    "prev_hash",
    "hash",
]

# Extra columns for each event, beside the stored ones (e.g. the user's name and organisation).
ExtraColumns = Callable[[AuditEvent], dict[str, Any]]


def _csv_cell(value: Any) -> str:
    if isinstance(value, list | tuple):
        # Ids join with spaces, as they always have; labels that hold spaces ("episode 4 (person 2)")
        # join with semicolons so each stays whole.
        items = [str(v) for v in value]
        value = ("; " if any(" " in item for item in items) else " ").join(items)
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell starting like a formula; the log holds text people typed.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _as_dict(event: AuditEvent, extra: ExtraColumns | None) -> dict[str, Any]:
    data = {column: getattr(event, column) for column in CSV_COLUMNS}
    data["occurred_at"] = event.occurred_at.isoformat()
    if extra is not None:
        data.update(extra(event))
    return data


def _csv(events: Sequence[AuditEvent], extra: ExtraColumns | None, extra_columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = CSV_COLUMNS + list(extra_columns)
    writer.writerow(header)
    for event in events:
        data = _as_dict(event, extra)
        writer.writerow([_csv_cell(data.get(column)) for column in header])
    return buffer.getvalue()


def audit_events_download(
    *,
    actor: User,
    events: Sequence[AuditEvent],
    as_json: bool,
    reason: str,
    filename_stem: str,
    extra: ExtraColumns | None = None,
    extra_columns: Sequence[str] = (),
) -> HttpResponse:
    """Log the disclosure of these events to the actor's organisation, then hand them over as a file.

    `reason` says what was asked for; the number of events and the format are added to it. `extra`
    gives each event's `extra_columns` (the CSV's header names them even when no event matches).
    """
    ids = [e.pk for e in events]
    reason = f"{reason}; {len(ids)} events as {'JSON' if as_json else 'CSV'}"
    audit_record(
        actor=actor,
        operation=Operation.DISCLOSURE,
        event_type="audit_log.exported",
        object_type="audit_event",
        object_ids=ids if len(ids) <= MAX_LISTED_IDS else [],
        recipient_agency_id=actor.organisation_id,
        reason=reason if len(ids) <= MAX_LISTED_IDS else f"{reason} (ids not listed)",
    )
    if as_json:
        body = json.dumps([_as_dict(e, extra) for e in events], indent=1)
        response = HttpResponse(body, content_type="application/json")
    else:
        response = HttpResponse(_csv(events, extra, extra_columns), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    extension = "json" if as_json else "csv"
    response["Content-Disposition"] = f'attachment; filename="{filename_stem}-{stamp}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response
