"""`homeward report weekly|measures|quarterly`: the SPEC §7 reports as JSON, CSV or XLSX.

    homeward report weekly --as-of 2025-03-30 --format json [--out FILE] [--district NAME]
    homeward report measures --from 2025-01-01 --to 2025-03-31 --format csv [--district NAME] [--out FILE]
    homeward report quarterly --year 2025 --quarter 1 [--district NAME] [--out FILE]   (JSON)
    homeward report problem-profile --from 2025-01-01 --to 2025-03-31 --format json [--district NAME] [--out FILE]

    homeward report mpdr|lac-return --year 2025 ...   (the national returns: see insights/returns_cli.py)

JSON and CSV go to stdout unless --out is given; XLSX needs --out. Each run records one audit event.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeward.insights import export, returns_cli
from homeward.insights.commands import (
    audit_export,
    check_out,
    open_text,
    parse_date,
    parse_district,
    parse_format,
)
from homeward.insights.measures import measures_for, quarterly_mi
from homeward.insights.periods import between, quarter
from homeward.insights.problem_profile import problem_profile, profile_csv, profile_json, profile_xlsx
from homeward.insights.weekly import weekly_datasets


class Command(BaseCommand):
    help = "SPEC §7 reports: the weekly datasets, performance measures and quarterly management information."

    def add_arguments(self, parser: CommandParser) -> None:
        reports = parser.add_subparsers(
            dest="report",
            required=True,
            metavar="{weekly,measures,quarterly,problem-profile,mpdr,lac-return}",
        )
        weekly = reports.add_parser("weekly", help="The four weekly datasets as of a date")
        weekly.add_argument("--as-of", dest="as_of", help="Local date D (YYYY-MM-DD)")
        measures = reports.add_parser("measures", help="Performance measures for a period")
        measures.add_argument("--from", dest="date_from", help="First local day (YYYY-MM-DD)")
        measures.add_argument("--to", dest="date_to", help="Last local day, inclusive (YYYY-MM-DD)")
        quarterly = reports.add_parser("quarterly", help="Quarterly management information (JSON)")
        quarterly.add_argument("--year", type=int, help="Calendar year")
        quarterly.add_argument("--quarter", type=int, help="1 (Jan–Mar) to 4 (Oct–Dec)")
        profile = reports.add_parser("problem-profile", help="The problem profile for a period")
        profile.add_argument("--from", dest="date_from", help="First local day (YYYY-MM-DD)")
        profile.add_argument("--to", dest="date_to", help="Last local day, inclusive (YYYY-MM-DD)")
        for sub in (weekly, measures, quarterly, profile):
            sub.add_argument("--format", default="json", help="json, csv or xlsx (quarterly: json)")
            sub.add_argument("--out", help="Write to this file instead of stdout (required for xlsx)")
            sub.add_argument("--district", help="Only episodes reported in this district")
        returns_cli.add_parsers(reports)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['report'].replace('-', '_')}")(options)

    def _write(self, fmt: str, out: str | None, text_writer: Any, xlsx_writer: Any) -> None:
        if fmt == "xlsx":
            assert out is not None
            xlsx_writer(out)
            return
        target, handle = open_text(out, self.stdout)
        try:
            text_writer(target)
        finally:
            if handle is not None:
                handle.close()

    def _weekly(self, options: dict[str, Any]) -> None:
        as_of = parse_date("--as-of", options["as_of"])
        fmt = parse_format(options["format"])
        check_out(fmt, options["out"])
        district = parse_district(options["district"])
        data = weekly_datasets(as_of, district)
        self._write(
            fmt,
            options["out"],
            lambda f: f.write(export.weekly_json(data)) if fmt == "json" else export.weekly_csv(data, f),
            lambda path: export.weekly_xlsx(data, path),
        )
        audit_export(
            event_type="report.weekly.exported",
            object_type="person",
            object_ids=data.person_ids(),
            reason=(
                f"homeward report weekly --as-of {as_of.isoformat()} --format {fmt}"
                f"{f' --district {district.name}' if district else ''}; {data.row_count()} rows about "
                f"{len(data.person_ids())} people; to {options['out'] or 'stdout'}"
            ),
        )

    def _measures(self, options: dict[str, Any]) -> None:
        first = parse_date("--from", options["date_from"])
        last = parse_date("--to", options["date_to"])
        if last < first:
            raise CommandError(f"--to ({last.isoformat()}) is before --from ({first.isoformat()})")
        fmt = parse_format(options["format"])
        check_out(fmt, options["out"])
        district = parse_district(options["district"])
        measures = measures_for(first, last, district)
        self._write(
            fmt,
            options["out"],
            lambda f: (
                f.write(export.measures_json(measures)) if fmt == "json" else export.measures_csv(measures, f)
            ),
            lambda path: export.measures_xlsx(measures, path),
        )
        # Aggregates only, but every download is audited (issue 4): no ids to list.
        audit_export(
            event_type="report.measures.exported",
            object_type="aggregate",
            object_ids=(),
            reason=(
                f"homeward report measures --from {first.isoformat()} --to {last.isoformat()} --format {fmt}"
                f"{f' --district {district.name}' if district else ''}; to {options['out'] or 'stdout'}"
            ),
        )

    def _quarterly(self, options: dict[str, Any]) -> None:
        if options["year"] is None or options["quarter"] is None:
            raise CommandError("--year and --quarter are both required (e.g. --year 2025 --quarter 1)")
        try:
            period = quarter(options["year"], options["quarter"])
        except ValueError as exc:
            raise CommandError(f"--quarter: {exc}") from None
        fmt = parse_format(options["format"], ("json",))
        check_out(fmt, options["out"])
        district = parse_district(options["district"])
        data = quarterly_mi(period, district)
        self._write(fmt, options["out"], lambda f: f.write(export.measures_json(data)), None)
        audit_export(
            event_type="report.quarterly.exported",
            object_type="aggregate",
            object_ids=(),
            reason=(
                f"homeward report quarterly --year {options['year']} --quarter {options['quarter']}"
                f"{f' --district {district.name}' if district else ''}; to {options['out'] or 'stdout'}"
            ),
        )

    def _problem_profile(self, options: dict[str, Any]) -> None:
        first = parse_date("--from", options["date_from"])
        last = parse_date("--to", options["date_to"])
        if last < first:
            raise CommandError(f"--to ({last.isoformat()}) is before --from ({first.isoformat()})")
        fmt = parse_format(options["format"])
        check_out(fmt, options["out"])
        district = parse_district(options["district"])
        data = problem_profile(between(first, last), district)
        self._write(
            fmt,
            options["out"],
            lambda f: f.write(profile_json(data)) if fmt == "json" else profile_csv(data, f),
            lambda path: profile_xlsx(data, path),
        )
        audit_export(
            event_type="report.problem_profile.exported",
            object_type="aggregate",
            object_ids=(),
            reason=(
                f"homeward report problem-profile --from {first.isoformat()} --to {last.isoformat()}"
                f" --format {fmt}{f' --district {district.name}' if district else ''}; "
                f"to {options['out'] or 'stdout'}"
            ),
        )

    def _mpdr(self, options: dict[str, Any]) -> None:
        returns_cli.run(self, options)

    def _lac_return(self, options: dict[str, Any]) -> None:
        returns_cli.run(self, options)
