"""`homeward report mpdr|lac-return`: the national returns from the command line (wired in report.py).

    homeward report mpdr --year 2025 [--force NAME] --format json|csv|xlsx [--out FILE]
    homeward report lac-return --year 2025 --authority NAME --format json|csv|xlsx [--out FILE]

`--year 2025` is financial year 2025/26 (1 April 2025 to 31 March 2026). JSON goes to stdout unless --out
is given; CSV (a zip of one CSV per table) and XLSX are binary and need --out. Each run records one
disclosure audit event: `report.mpdr.exported` (aggregates) or `report.lac_return.exported` (the ids of
the children in the return).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from homeward.identity.models import Organisation, OrganisationKind
from homeward.insights.commands import audit_export, parse_format
from homeward.insights.national_returns import (
    NationalReturn,
    financial_year,
    lac_missing_return,
    missing_persons_data_return,
    return_csv_zip,
    return_json,
    return_xlsx,
)


def add_parsers(reports: Any) -> None:
    mpdr = reports.add_parser(
        "mpdr", help="Missing persons data return (UK Missing Persons Unit), a financial year"
    )
    mpdr.add_argument("--force", help="Only this police force's episodes (default: every episode held)")
    lac = reports.add_parser("lac-return", help="Looked-after children missing episodes return (DfE)")
    lac.add_argument("--authority", help="The placing local authority (organisation name)")
    for sub in (mpdr, lac):
        sub.add_argument(
            "--year", type=int, help="Financial year starting 1 April of this year (2025 = 2025/26)"
        )
        sub.add_argument("--format", default="json", help="json, csv (a zip of one CSV per table) or xlsx")
        sub.add_argument("--out", help="Write to this file instead of stdout (required for csv and xlsx)")


def _organisation(option: str, raw: str | None, kind: str) -> Organisation:
    if not raw:
        raise CommandError(f"{option} is required")
    found = Organisation.objects.filter(name__iexact=raw.strip(), kind=kind).first()
    if found is None:
        known = ", ".join(Organisation.objects.filter(kind=kind).values_list("name", flat=True))
        raise CommandError(f"Unknown {option.strip('-')} {raw!r}. Known: {known or 'none'}")
    return found


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    which = options["report"]
    if options["year"] is None:
        raise CommandError("--year is required (e.g. --year 2025 for 2025/26)")
    if not 2000 <= options["year"] <= 2100:
        raise CommandError("--year must be from 2000 to 2100")
    fmt = parse_format(options["format"])
    out = options["out"]
    if fmt in ("csv", "xlsx") and not out:
        raise CommandError(
            f"--format {fmt} needs --out FILE: the file is binary and is not written to stdout"
        )
    if out and not Path(out).resolve().parent.is_dir():
        raise CommandError(f"--out {out!r}: the folder {str(Path(out).resolve().parent)!r} does not exist")
    period = financial_year(options["year"])
    result: NationalReturn
    if which == "mpdr":
        force = (
            _organisation("--force", options["force"], OrganisationKind.POLICE_FORCE)
            if options["force"]
            else None
        )
        result = missing_persons_data_return(period.first, period.last, force=force)
        flag = f" --force {force.name}" if force else ""
    else:
        authority = _organisation("--authority", options["authority"], OrganisationKind.LOCAL_AUTHORITY)
        result = lac_missing_return(period.first, period.last, authority)
        flag = f" --authority {authority.name}"
    if fmt == "json":
        text = return_json(result)
        if out:
            Path(out).write_text(text, encoding="utf-8")
        else:
            command.stdout.write(text, ending="")
    elif fmt == "csv":
        Path(out or "").write_bytes(return_csv_zip(result))
    else:
        return_xlsx(result, out or "")
    lac = result.key == "lac_return"
    audit_export(
        event_type="report.lac_return.exported" if lac else "report.mpdr.exported",
        object_type="person" if lac else "aggregate",
        object_ids=result.person_ids,
        reason=f"homeward report {which} --year {options['year']}{flag} --format {fmt}; to {out or 'stdout'}",
    )
