"""What the `report` and `export` commands share: argument checks with precise messages, output, audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from django.core.management.base import CommandError, OutputWrapper

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.identity.models import District, User

FORMATS = ("json", "csv", "xlsx")
# Above this many ids the audit event stores the count in its reason instead of the ids.
MAX_AUDITED_IDS = 10_000


def parse_date(option: str, raw: str | None) -> dt.date:
    if not raw:
        raise CommandError(f"{option} is required: give a date as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"{option} must be a date as YYYY-MM-DD, not {raw!r}") from None


def parse_format(raw: str, allowed: tuple[str, ...] = FORMATS) -> str:
    if raw not in allowed:
        raise CommandError(f"--format must be one of {', '.join(allowed)}, not {raw!r}")
    return raw


def parse_district(raw: str | None) -> District | None:
    if raw is None:
        return None
    matches = list(District.objects.filter(name__iexact=raw.strip()).select_related("force"))
    if not matches:
        known = ", ".join(District.objects.order_by("name").values_list("name", flat=True).distinct())
        raise CommandError(f"Unknown district {raw!r}. Known districts: {known or 'none'}")
    if len(matches) > 1:
        forces = ", ".join(sorted(d.force.name for d in matches))
        raise CommandError(f"District name {raw!r} is ambiguous: it exists in {forces}")
    return matches[0]


def check_out(fmt: str, out: str | None) -> None:
    if fmt == "xlsx" and not out:
        raise CommandError(
            "--format xlsx needs --out FILE: a workbook is binary and is not written to stdout"
        )
    if out and not Path(out).resolve().parent.is_dir():
        raise CommandError(f"--out {out!r}: the folder {str(Path(out).resolve().parent)!r} does not exist")


class TextOut:
    """A file-like view of a command's stdout that adds no line endings of its own (for csv.writer)."""

    def __init__(self, wrapper: OutputWrapper) -> None:
        self._wrapper = wrapper

    def write(self, text: str) -> int:
        self._wrapper.write(text, ending="")
        return len(text)


def open_text(out: str | None, stdout: OutputWrapper) -> tuple[IO[str] | TextOut, IO[str] | None]:
    """(writable, file to close). CSV files are written with newline="" as the csv module wants."""
    if out:
        handle = open(out, "w", newline="", encoding="utf-8")  # noqa: SIM115 - closed by the caller
        return handle, handle
    return TextOut(stdout), None


def audit_export(
    *,
    event_type: str,
    object_type: str,
    object_ids: Iterable[Any],
    reason: str,
    outcome: str = "success",
    actor: User | None = None,
) -> None:
    """One DISCLOSURE event per command run (actor None: the command line) or page download (actor: the
    signed-in user). Large id sets are counted in the reason instead of listed."""
    ids = sorted(set(object_ids))
    if len(ids) > MAX_AUDITED_IDS:
        reason = f"{reason}; {len(ids)} {object_type} ids (not listed)"
        ids = []
    audit_record(
        actor=actor,
        operation=Operation.DISCLOSURE,
        event_type=event_type,
        object_type=object_type,
        object_ids=ids,
        reason=reason,
        outcome=outcome,
    )
