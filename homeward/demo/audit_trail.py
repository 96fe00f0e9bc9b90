"""The demo's audit trail: the events the application would have written while the demo's records were made.

In the application every collection and every consultation writes an audit event (homeward.audit.log), so
the auditor's person search (/audit/) finds who recorded and who looked at a person's records. The demo
writes its rows in bulk, not through the actions, so it writes their events here:

- a collection event for each person (`person.created`, by the call handler who took the details) and each
  episode (`episode.reported`, by the call handler who took the report), as the actions do;
- a sprinkling of consultations (`episode.viewed`): the officers and supervisors who worked an episode
  opening it before they acted on it, and now and then someone at a partner agency that was told of the
  episode opening it.

Each event carries the actor's user, organisation and role, and the time it would have happened (not the
time of the load), so the auditor's date filters mean something in the demo too.

The events are appended to the hash chain exactly as `audit_record` appends one (the same digest, the same
link to the latest event or archive anchor, under the same lock on PostgreSQL), but in one batch in time
order: one `audit_record` call per event would cost a query for the previous hash and an insert each, tens
of thousands of round trips for a year of data. `homeward audit verify` checks the result like any other
part of the chain.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

from django.db import connection, models, transaction

from homeward.audit.log import _CHAIN_LOCK_KEY, GENESIS_HASH, event_digest
from homeward.audit.models import AuditArchive, AuditEvent, Operation
from homeward.identity.models import User

BATCH_SIZE = 2000
# How often someone who acted on an episode is shown opening it first, and how often a partner agency
# that was told of an episode opens it: enough for every kind of event to be there, not one per action.
STAFF_VIEW_SHARE = 0.35
PARTNER_VIEW_SHARE = 0.25


@dataclass(frozen=True)
class _Pending:
    at: dt.datetime
    seq: int  # the order events were added in: ties in time keep it, so the chain is deterministic
    actor: User | None
    operation: str
    event_type: str
    object_type: str
    object_id: int
    changed_fields: tuple[str, ...]


class _Insert:
    """AuditEvent rows written with executemany, in order, the database numbering them: bulk_create's
    per-field preparation took most of the time (as in the generator's Table)."""

    def __init__(self) -> None:
        qn = connection.ops.quote_name
        self.fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
        columns = ", ".join(qn(f.column) for f in self.fields)
        placeholders = ", ".join(["%s"] * len(self.fields))
        table = qn(AuditEvent._meta.db_table)
        # Only quoted names from the model's metadata are interpolated; values are parameters.
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        self.defaults = [f.get_default() for f in self.fields]
        # What the fields' get_db_prep_save does for these columns (AuditEvent's JSON fields have no
        # encoder), bound once rather than looked up through the connection proxy for every value.
        ops = connection.ops

        def adapt_json(value: Any) -> Any:
            return ops.adapt_json_value(value, None)

        self.prepare: list[Any] = [
            ops.adapt_datetimefield_value
            if isinstance(f, models.DateTimeField)
            else adapt_json
            if isinstance(f, models.JSONField)
            else None
            for f in self.fields
        ]
        self.rows: list[tuple[Any, ...]] = []

    def add(self, values: dict[str, Any]) -> None:
        row = []
        for f, default, prepare in zip(self.fields, self.defaults, self.prepare, strict=True):
            value = values.get(f.attname, default)
            row.append(prepare(value) if prepare is not None and value is not None else value)
        self.rows.append(tuple(row))
        if len(self.rows) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.rows)
            self.rows = []


class AuditTrail:
    """Events gathered while the demo is generated, written to the chain at the end (`write`)."""

    def __init__(self, rng: random.Random, cutoff: dt.datetime) -> None:
        self.rng = rng
        self.cutoff = cutoff
        self.pending: list[_Pending] = []
        self.written = 0

    def _add(
        self,
        at: dt.datetime,
        actor: User | None,
        operation: str,
        event_type: str,
        object_type: str,
        object_id: int,
        changed_fields: tuple[str, ...] = (),
    ) -> None:
        if at >= self.cutoff:
            return  # nothing in the demo happens after its cut-off
        # In UTC, as `audit_record` stamps events: the digest hashes the time's ISO text, offset included,
        # and the database gives it back in UTC.
        self.pending.append(
            _Pending(
                at.astimezone(dt.UTC),
                len(self.pending),
                actor,
                operation,
                event_type,
                object_type,
                object_id,
                changed_fields,
            )
        )

    def person_created(
        self, *, at: dt.datetime, actor: User, person_id: int, fields: tuple[str, ...]
    ) -> None:
        self._add(at, actor, Operation.COLLECTION, "person.created", "person", person_id, fields)

    def episode_reported(self, *, at: dt.datetime, actor: User, episode_id: int) -> None:
        self._add(at, actor, Operation.COLLECTION, "episode.reported", "episode", episode_id, ("*",))

    def episode_worked(
        self, *, episode_id: int, reported_at: dt.datetime, acts: list[tuple[dt.datetime, User]]
    ) -> None:
        """Some of the staff who acted on the episode (`acts`: when, who) open it a few minutes before,
        never before it was reported (an act minutes after the report: halfway between)."""
        seen: set[int] = set()
        for at, actor in acts:
            if actor.pk in seen:
                continue
            seen.add(actor.pk)
            if self.rng.random() < STAFF_VIEW_SHARE:
                opened = at - dt.timedelta(minutes=self.rng.randint(2, 25))
                if opened <= reported_at:
                    opened = reported_at + (at - reported_at) / 2
                self._add(opened, actor, Operation.CONSULTATION, "episode.viewed", "episode", episode_id)

    def episode_shared(self, *, episode_id: int, reported_at: dt.datetime, readers: list[list[User]]) -> None:
        """Now and then someone at one of the partner agencies told of the episode (`readers`: each
        agency's staff who may read it) opens it within a day of the report."""
        readers = [staff for staff in readers if staff]
        if not readers or self.rng.random() >= PARTNER_VIEW_SHARE:
            return
        actor = self.rng.choice(self.rng.choice(readers))
        at = reported_at + dt.timedelta(minutes=self.rng.randint(20, 24 * 60))
        self._add(at, actor, Operation.CONSULTATION, "episode.viewed", "episode", episode_id)

    def write(self) -> int:
        """Append every gathered event to the chain, oldest first, linked and hashed as `audit_record`
        does. Call inside the load's transaction, before anything else writes to the chain."""
        self.pending.sort(key=lambda p: (p.at, p.seq))
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
            prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
            if prev is None:
                prev = (
                    AuditArchive.objects.order_by("-archived_through_id")
                    .values_list("anchor_hash", flat=True)
                    .first()
                )
            prev = prev or GENESIS_HASH
            insert = _Insert()
            for p in self.pending:
                values: dict[str, Any] = {
                    "occurred_at": p.at,
                    "actor_user_id": p.actor.pk if p.actor else None,
                    "actor_agency_id": p.actor.organisation_id if p.actor else None,
                    "acting_as": (p.actor.role if p.actor else "") or "",
                    "operation": p.operation,
                    "event_type": p.event_type,
                    "object_type": p.object_type,
                    "object_ids": [str(p.object_id)],
                    "changed_fields": sorted(set(p.changed_fields)),
                    "recipient_agency_id": None,
                    "reason_text": "",
                    "outcome": "success",
                    "prev_hash": prev,
                }
                # event_digest only reads these attributes: a namespace spares a model instance per event.
                values["hash"] = prev = event_digest(cast(AuditEvent, SimpleNamespace(**values)))
                insert.add(values)
            insert.flush()
        self.written += len(self.pending)
        self.pending = []
        return self.written
