"""Writing audit events. Called by actions (inside their transaction) and by selectors (for reads)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.utils import timezone

from homeward.audit.models import AuditArchive, AuditEvent, Operation

if TYPE_CHECKING:
    from homeward.identity.models import User

GENESIS_HASH = "0" * 64
# The event an archive run writes (homeward.audit.retention); verify checks the anchor against it.
ARCHIVED_EVENT = "audit_log.archived"
# Any fixed 64-bit number: it names the lock that serialises the audit chain on PostgreSQL.
_CHAIN_LOCK_KEY = 7_406_117_262


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None
    user_agent: str = ""


# RequestContext is a frozen dataclass, so sharing one default instance is safe.
current_request: ContextVar[RequestContext] = ContextVar("current_request", default=RequestContext())  # noqa: B039


def _clean(text: str, limit: int) -> str:
    # Control characters from user input must not forge log lines (AUD-10).
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)[:limit]


def event_digest(event: AuditEvent) -> str:
    payload = {
        "occurred_at": event.occurred_at.isoformat(),
        "actor_user_id": event.actor_user_id,
        "actor_agency_id": event.actor_agency_id,
        "acting_as": event.acting_as,
        "operation": event.operation,
        "event_type": event.event_type,
        "object_type": event.object_type,
        "object_ids": event.object_ids,
        "changed_fields": event.changed_fields,
        "recipient_agency_id": event.recipient_agency_id,
        "reason_text": event.reason_text,
        "outcome": event.outcome,
        "prev_hash": event.prev_hash,
    }
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def audit_record(
    *,
    actor: User | None,
    operation: str,
    event_type: str,
    object_type: str = "",
    object_ids: Iterable[Any] = (),
    changed_fields: Iterable[str] = (),
    recipient_agency_id: int | None = None,
    reason: str = "",
    outcome: str = "success",
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction (or a new one for reads)."""
    assert operation in Operation.values, operation
    ctx = current_request.get()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        if last is None:
            # Every earlier event archived (homeward.audit.retention): link to the latest anchor.
            last = (
                AuditArchive.objects.order_by("-archived_through_id")
                .values_list("anchor_hash", flat=True)
                .first()
            )
        event = AuditEvent(
            occurred_at=timezone.now(),
            actor_user_id=getattr(actor, "pk", None),
            actor_agency_id=getattr(actor, "organisation_id", None),
            acting_as=getattr(actor, "role", "") or "",
            operation=operation,
            event_type=event_type,
            object_type=object_type,
            object_ids=[str(i) for i in object_ids],
            changed_fields=sorted(set(changed_fields)),
            recipient_agency_id=recipient_agency_id,
            reason_text=_clean(reason, 500),
            request_id=ctx.request_id,
            ip=ctx.ip,
            user_agent=_clean(ctx.user_agent, 300),
            outcome=outcome,
            prev_hash=last or GENESIS_HASH,
        )
        event.hash = event_digest(event)
        event.save(force_insert=True)
    return event


def audit_consultation(*, actor: User, event_type: str, object_type: str, object_ids: Iterable[Any]) -> None:
    """Log that records were shown to someone (DPA s.62 'consultation')."""
    audit_record(
        actor=actor,
        operation=Operation.CONSULTATION,
        event_type=event_type,
        object_type=object_type,
        object_ids=object_ids,
    )


@dataclass(frozen=True)
class ChainCheck:
    """What `audit_chain_check` found. `problem` says how the first bad event fails, if one does."""

    total: int
    checked: int
    bad_id: int | None = None
    problem: str = ""
    expected_prev_hash: str = ""
    found_prev_hash: str = ""

    @property
    def intact(self) -> bool:
        return self.bad_id is None


def audit_chain_check(using: str = DEFAULT_DB_ALIAS) -> ChainCheck:
    """Recompute the chain from its start and stop at the first event that does not fit.

    `using` names the database to read: the backup drill (`homeward.backup`) checks a restored copy
    through a second alias with exactly this walk.

    The start is the genesis hash or, once events have been archived (`homeward.audit.retention`), the
    anchor of the latest archive: the hash of the last event it removed. A row altered in place no longer
    matches its own hash; a row removed leaves the next one pointing at a hash that is not its
    predecessor's; a row inserted out of band does both. An anchor row added or changed behind the
    application's back is caught too: the archive's own `audit_log.archived` event, in the chain after
    it, must name the same anchor.
    """
    anchor = AuditArchive.objects.using(using).order_by("-archived_through_id").first()
    prev = anchor.anchor_hash if anchor else GENESIS_HASH
    events = AuditEvent.objects.using(using).order_by("id")
    if anchor:
        events = events.filter(id__gt=anchor.archived_through_id)
    total = events.count()
    checked = 0
    anchor_logged = anchor is None
    for event in events.iterator(chunk_size=2000):
        if event.prev_hash != prev:
            return ChainCheck(
                total,
                checked,
                event.pk,
                "its link to the previous event does not match (an event before it was removed or altered)",
                expected_prev_hash=prev,
                found_prev_hash=event.prev_hash,
            )
        if event_digest(event) != event.hash:
            return ChainCheck(total, checked, event.pk, "its contents no longer match its hash (altered)")
        if (
            anchor
            and event.event_type == ARCHIVED_EVENT
            and f"anchor {anchor.anchor_hash}" in event.reason_text
        ):
            anchor_logged = True
        prev = event.hash
        checked += 1
    if not anchor_logged and anchor is not None:
        return ChainCheck(
            total,
            checked,
            anchor.archived_through_id,
            "the archive anchor it starts from is not named by any audit_log.archived event in the chain",
        )
    return ChainCheck(total, checked)


def audit_chain_verify() -> tuple[bool, int, int | None]:
    """Recompute the chain. Returns (intact, events checked, id of the first bad event)."""
    result = audit_chain_check()
    return result.intact, result.checked, result.bad_id
