"""Audit retention (P12, AUD-9): archive the oldest events to a file, then remove them from the database.

`homeward audit archive --before DATE --out FILE`:

1. takes the events, from the start of the online chain, that occurred before DATE (local midnight) —
   refused unless DATE is at least the retention period ago (`HOMEWARD_AUDIT_RETENTION_DAYS`, default
   7 years, never under 365 days);
2. checks their chain from the current anchor, and refuses if it is broken (evidence is not archived
   away);
3. writes them to a JSON-lines file: a header line (the hash the first event links to), one line per
   event, a footer line with the count and the anchor (the hash of the last event archived);
4. reads the file back and verifies it (`verify_archive_file`);
5. in one transaction, under `audit_maintenance()`, deletes them, stores an `AuditArchive` row (through
   id, anchor, count, file SHA-256) and logs an *erasure* event `audit_log.archived` with the count,
   the id and date range, the anchor and the file's SHA-256 — no content.

`homeward audit verify` then starts from the latest anchor (`homeward.audit.log.audit_chain_check`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from homeward.audit.guard import audit_maintenance
from homeward.audit.log import ARCHIVED_EVENT, GENESIS_HASH, audit_chain_check, audit_record, event_digest
from homeward.audit.models import AuditArchive, AuditEvent, Operation

MINIMUM_RETENTION_DAYS = 365
DEFAULT_RETENTION_DAYS = 2557  # 7 years
ARCHIVE_FORMAT = "homeward-audit-archive"

# Every stored field of an event, in the file; the digest covers all but request_id, ip and user_agent.
_FIELDS = [
    "id",
    "occurred_at",
    "actor_user_id",
    "actor_agency_id",
    "acting_as",
    "operation",
    "event_type",
    "object_type",
    "object_ids",
    "changed_fields",
    "recipient_agency_id",
    "reason_text",
    "request_id",
    "ip",
    "user_agent",
    "outcome",
    "prev_hash",
    "hash",
]


class ArchiveError(Exception):
    pass


def retention_days() -> int:
    """`HOMEWARD_AUDIT_RETENTION_DAYS` from the settings, else the environment, else 7 years."""
    value: Any = getattr(settings, "HOMEWARD_AUDIT_RETENTION_DAYS", None)
    if value is None:
        value = os.environ.get("HOMEWARD_AUDIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def earliest_allowed_cutoff_violation(before: dt.date, now: dt.datetime | None = None) -> str:
    """Why a cut-off date is refused, or '' if it is far enough back."""
    now = now or timezone.now()
    days = max(MINIMUM_RETENTION_DAYS, retention_days())
    newest_allowed = timezone.localdate(now) - dt.timedelta(days=days)
    if before > newest_allowed:
        return (
            f"cut-off {before.isoformat()} is inside the retention period of {days} days: "
            f"choose {newest_allowed.isoformat()} or earlier"
        )
    return ""


def _line(event: AuditEvent) -> str:
    row: dict[str, Any] = {name: getattr(event, name) for name in _FIELDS}
    row["id"] = event.pk
    row["occurred_at"] = event.occurred_at.isoformat()
    return json.dumps(row, sort_keys=True, separators=(",", ":"))


def _event_from(row: dict[str, Any]) -> AuditEvent:
    values = {name: row[name] for name in _FIELDS}
    values["occurred_at"] = dt.datetime.fromisoformat(row["occurred_at"])
    return AuditEvent(**values)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class ArchiveFileCheck:
    count: int
    first_id: int | None
    last_id: int | None
    anchor_hash: str
    sha256: str
    problem: str = ""

    @property
    def intact(self) -> bool:
        return not self.problem


def verify_archive_file(path: Path) -> ArchiveFileCheck:
    """Recompute the chain inside an archive file, and compare it with the database's record of it."""
    sha = file_sha256(path)

    def fail(
        problem: str, count: int = 0, first: int | None = None, last: int | None = None
    ) -> ArchiveFileCheck:
        return ArchiveFileCheck(count, first, last, "", sha, problem)

    with path.open(encoding="utf-8") as handle:
        try:
            header = json.loads(handle.readline())
        except json.JSONDecodeError:
            return fail("not an audit archive: no header line")
        if not isinstance(header, dict) or header.get("format") != ARCHIVE_FORMAT:
            return fail("not an audit archive: no header line")
        prev = header.get("starts_after_hash", "")
        first_id = last_id = None
        count = 0
        footer: Any = None
        for number, text in enumerate(handle, start=2):
            if footer is not None:
                return fail(f"line {number} comes after the footer", count, first_id, last_id)
            try:
                row = json.loads(text)
                if row.get("format") == ARCHIVE_FORMAT:
                    footer = row
                    continue
                event = _event_from(row)
            except (json.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError):
                return fail(f"line {number} is not an audit event", count, first_id, last_id)
            if event.prev_hash != prev:
                return fail(
                    f"line {number} (event {event.pk}): its link to the previous event does not match"
                )
            if event_digest(event) != event.hash:
                return fail(
                    f"line {number} (event {event.pk}): its contents no longer match its hash (altered)"
                )
            first_id = event.pk if first_id is None else first_id
            last_id = event.pk
            prev = event.hash
            count += 1
    if footer is None or footer.get("count") != count or footer.get("anchor_hash") != prev:
        return fail(
            "the footer's count or anchor does not match the events in the file", count, first_id, last_id
        )
    record = AuditArchive.objects.filter(archived_through_id=last_id).first() if last_id else None
    if record is not None and (record.anchor_hash != prev or record.file_sha256 != sha):
        return ArchiveFileCheck(
            count, first_id, last_id, prev, sha, "the file differs from the archive recorded in the database"
        )
    return ArchiveFileCheck(count, first_id, last_id, prev, sha)


@dataclass(frozen=True)
class ArchiveResult:
    count: int
    first_id: int | None
    last_id: int | None
    anchor_hash: str
    sha256: str


def archive_before(before: dt.date, out: Path) -> ArchiveResult:
    """Archive and remove the events that occurred before local midnight starting `before`."""
    refusal = earliest_allowed_cutoff_violation(before)
    if refusal:
        raise ArchiveError(refusal)
    if out.exists():
        raise ArchiveError(f"{out} exists already: an archive file is never overwritten")
    check = audit_chain_check()
    if not check.intact:
        raise ArchiveError(f"the audit chain is broken at event {check.bad_id}: run `homeward audit verify`")
    cutoff = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
    anchor = AuditArchive.objects.order_by("-archived_through_id").first()
    online = AuditEvent.objects.order_by("id")
    if anchor:
        online = online.filter(id__gt=anchor.archived_through_id)
    # A contiguous prefix of the chain: everything before the first event on or after the cut-off.
    first_kept = online.filter(occurred_at__gte=cutoff).values_list("id", flat=True).first()
    chosen = online.filter(id__lt=first_kept) if first_kept is not None else online
    first = chosen.first()
    last = chosen.last()
    if first is None or last is None:
        return ArchiveResult(0, None, None, "", "")
    count = 0
    starts_after = anchor.anchor_hash if anchor else GENESIS_HASH
    # Streamed: seven years of a force's log need not fit in memory.
    with out.open("x", encoding="utf-8") as handle:
        header = {"format": ARCHIVE_FORMAT, "version": 1, "starts_after_hash": starts_after}
        handle.write(json.dumps(header, sort_keys=True) + "\n")
        for event in chosen.filter(id__lte=last.pk).iterator(chunk_size=2000):
            handle.write(_line(event) + "\n")
            count += 1
        footer = {"format": ARCHIVE_FORMAT, "count": count, "anchor_hash": last.hash}
        handle.write(json.dumps(footer, sort_keys=True) + "\n")
    written = verify_archive_file(out)
    if not written.intact or written.count != count or written.anchor_hash != last.hash:
        raise ArchiveError(f"the archive file did not verify ({written.problem}); nothing was removed")
    with transaction.atomic():
        with audit_maintenance():
            AuditEvent.objects.filter(id__gte=first.pk, id__lte=last.pk).delete()
        AuditArchive.objects.create(
            archived_through_id=last.pk,
            anchor_hash=last.hash,
            count=count,
            file_sha256=written.sha256,
            created_at=timezone.now(),
        )
        audit_record(
            actor=None,
            operation=Operation.ERASURE,
            event_type=ARCHIVED_EVENT,
            object_type="audit_event",
            object_ids=[first.pk, last.pk],
            reason=(
                f"archived {count} events {first.pk}..{last.pk} "
                f"occurred {first.occurred_at.isoformat()}..{last.occurred_at.isoformat()}; "
                f"anchor {last.hash}; file sha256 {written.sha256}"
            ),
        )
    return ArchiveResult(count, first.pk, last.pk, last.hash, written.sha256)
