"""The SPEC §7 report pages: weekly datasets, performance measures, quarterly MI, with CSV/XLSX downloads.

Access is decided by access.report_access alone. Pages that show people log a consultation; every
download logs a disclosure with the same event types as the command line (actor: the signed-in user).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from openpyxl import Workbook

from homeward.audit.log import audit_consultation
from homeward.identity.auth_views import asks_for_download, require_recent_authentication
from homeward.identity.models import District, User
from homeward.insights import export
from homeward.insights.access import (
    Report,
    ReportAccess,
    allowed_reports,
    report_access,
    weekly_datasets_for,
)
from homeward.insights.charts import Point, bar_chart, line_chart
from homeward.insights.commands import audit_export
from homeward.insights.forms import MeasuresFilter, QuarterlyFilter, WeeklyFilter, previous_month
from homeward.insights.measures import (
    children_missing_rolling_12m,
    children_missing_rolling_12m_by_district,
    local_today,
    measures_for,
    quarterly_mi,
)
from homeward.insights.periods import quarter
from homeward.insights.present import (
    DIMENSION_LABELS,
    FEWER_THAN,
    QUARTERLY_DEFINITION,
    ROLLING_DEFINITION,
    measure_table,
    quarterly_csv,
    quarterly_xlsx,
    rolling_csv,
    rolling_xlsx_sheet,
    suppress_measures,
    suppress_quarterly,
    suppress_rolling,
)
from homeward.insights.weekly import DEFINITIONS, WEEKLY_LISTS, WeeklyDatasets
from homeward.insights.weekly_rows import WeeklyRows

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROLLING_MONTHS = 24

WEEKLY_TITLES = {
    "most_frequent_3w_children": "Most frequently missing children, last 3 weeks",
    "most_frequent_3w_adults": "Most frequently missing adults, last 3 weeks",
    "most_frequent_3w_age_unknown": "Most frequently missing, age unknown, last 3 weeks",
    "most_frequent_12w_children": "Most frequently missing children, last 12 weeks",
    "most_frequent_12w_adults": "Most frequently missing adults, last 12 weeks",
    "most_frequent_12w_age_unknown": "Most frequently missing, age unknown, last 12 weeks",
    "first_time_children_month": "First-time missing children this month",
    "lac_care_settings_12w": "Looked-after children missing from children's homes and care settings, 12 weeks",
    "hospital_12w": "Missing from hospitals and medical establishments, 12 weeks",
}


def _actor(request: HttpRequest, report: Report) -> tuple[User, ReportAccess]:
    user = request.user
    assert isinstance(user, User)
    access = report_access(user, report)
    if not access.allowed:
        raise PermissionDenied
    return user, access


def _form_data(request: HttpRequest, defaults: dict[str, str], access: ReportAccess) -> dict[str, str]:
    """The query string over the defaults: a first visit shows the default period (and, for those who may
    not see the whole force, their first district)."""
    data = dict(defaults)
    if not access.force_wide:
        first = access.districts.first()
        data["district"] = str(first.pk) if first else ""
    for key in request.GET:
        data[key] = request.GET.get(key, "")
    return data


def _query(params: dict[str, Any], **extra: str) -> str:
    return urlencode({**{k: v for k, v in params.items() if v not in (None, "")}, **extra})


def _attachment(
    request: HttpRequest,
    fmt: str,
    stem: str,
    write_csv: Callable[[IO[str]], None],
    write_xlsx: Callable[[str], None],
) -> HttpResponse:
    if fmt == "csv":
        buffer = io.StringIO()
        write_csv(buffer)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = str(Path(folder) / "report.xlsx")
            write_xlsx(path)
            response = HttpResponse(Path(path).read_bytes(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


def _download_format(request: HttpRequest) -> str | None:
    fmt = request.GET.get("format", "")
    return fmt if fmt in ("csv", "xlsx") else None


def _period_key(key: str) -> str:
    """The period of a weekly list: "3w", "12w" or "month"."""
    if key == "first_time_children_month":
        return "month"
    return "3w" if key.startswith("most_frequent_3w") else "12w"


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    reports = allowed_reports(user)
    if not reports:
        raise PermissionDenied
    return render(request, "insights/index.html", {"reports": [r.value for r in reports]})


@login_required
@require_recent_authentication(when=asks_for_download)
def weekly(request: HttpRequest) -> HttpResponse:
    user, access = _actor(request, Report.WEEKLY)
    form = WeeklyFilter(
        _form_data(request, {"as_of": local_today().isoformat()}, access),
        districts=access.districts,
        force_wide=access.force_wide,
    )
    data: WeeklyDatasets | None = None
    if form.is_valid():
        district = form.chosen_district()
        data = weekly_datasets_for(user, access, form.cleaned_data["as_of"], district)
        fmt = _download_format(request)
        if fmt is not None:
            return _weekly_download(request, user, data, fmt, district)
        if data.person_ids():
            audit_consultation(
                actor=user,
                event_type="report.weekly.viewed",
                object_type="person",
                object_ids=data.person_ids(),
            )
    params = {"as_of": form.data.get("as_of", ""), "district": form.data.get("district", "")}
    sections = []
    if data is not None:
        rows = WeeklyRows()
        if access.pseudonymise:  # a pseudonym is not a link: the person page is not theirs to open
            rows.person = lambda pseudonym, _name: html.escape(str(pseudonym))
        for key in WEEKLY_LISTS:
            definition_key = "most_frequent" if key.startswith("most_frequent") else key
            sections.append(
                {
                    "key": key,
                    "title": WEEKLY_TITLES[key],
                    "definition": DEFINITIONS[definition_key],
                    "period": data.periods[_period_key(key)],
                    "most_frequent": key.startswith("most_frequent"),
                    "count": len(data.lists[key]),
                    "rows": [
                        rows.most_frequent(r) if key.startswith("most_frequent") else rows.episode_log(r)
                        for r in data.lists[key]
                    ],
                }
            )
    return render(
        request,
        "insights/weekly.html",
        {
            "form": form,
            "data": data,
            "sections": sections,
            "shared_rows_only": access.shared_rows_only,
            "csv_query": _query(params, format="csv"),
            "xlsx_query": _query(params, format="xlsx"),
        },
    )


def _weekly_download(
    request: HttpRequest, user: User, data: WeeklyDatasets, fmt: str, district: District | None
) -> HttpResponse:
    response = _attachment(
        request,
        fmt,
        f"weekly-{data.as_of.isoformat()}",
        lambda out: export.weekly_csv(data, out),
        lambda path: export.weekly_xlsx(data, path),
    )
    audit_export(
        event_type="report.weekly.exported",
        object_type="person",
        object_ids=data.person_ids(),
        reason=(
            f"/reports/weekly/ as of {data.as_of.isoformat()} format {fmt}"
            f"{f' district {district.name}' if district else ''}; {data.row_count()} rows about "
            f"{len(data.person_ids())} people"
        ),
        actor=user,
    )
    return response


def _rolling_series(
    access: ReportAccess, district: District | None, until: dt.date
) -> dict[str, list[dict[str, Any]]]:
    """The rolling average for the chosen district, or for the force and each district when none is."""
    found: dict[str, list[dict[str, Any]]]
    if district is not None:
        found = {district.name: children_missing_rolling_12m(district, ROLLING_MONTHS, until=until)}
    else:
        force, by_district = children_missing_rolling_12m_by_district(ROLLING_MONTHS, until=until)
        found = {"All districts": force}
        for d in access.districts:
            found[d.name] = by_district.get(d.pk) or children_missing_rolling_12m(
                d, ROLLING_MONTHS, until=until
            )
    if access.suppress_small_counts:
        return {name: suppress_rolling(rows) for name, rows in found.items()}
    return found


@login_required
@require_recent_authentication(when=asks_for_download)
def measures(request: HttpRequest) -> HttpResponse:
    user, access = _actor(request, Report.MEASURES)
    first, last = previous_month(local_today())
    form = MeasuresFilter(
        _form_data(request, {"from": first.isoformat(), "to": last.isoformat()}, access),
        districts=access.districts,
        force_wide=access.force_wide,
    )
    result: dict[str, Any] | None = None
    table: list[dict[str, str]] = []
    charts = []
    if form.is_valid():
        district = form.chosen_district()
        first, last = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        result = measures_for(first, last, district)
        hidden: dict[str, set[str]] = {"current": set(), "previous": set()}
        if access.suppress_small_counts:
            result, hidden = suppress_measures(result)
        series = _rolling_series(access, district, last)
        fmt = _download_format(request)
        if fmt is not None:
            return _measures_download(request, user, result, series, fmt, district)
        table = measure_table(result, hidden)
        for name, rows in series.items():
            title = f"12-month rolling average of children going missing: {name}"
            charts.append(
                {
                    "name": name,
                    "title": title,
                    "svg": line_chart(
                        title,
                        [
                            Point(
                                r["month"],
                                r["rolling_average"],
                                FEWER_THAN if r.get("suppressed_12m") else f"{r['rolling_average']:.2f}",
                            )
                            for r in rows
                        ],
                    ),
                    "rows": rows,
                }
            )
    params = {
        "from": form.data.get("from", ""),
        "to": form.data.get("to", ""),
        "district": form.data.get("district", ""),
    }
    return render(
        request,
        "insights/measures.html",
        {
            "form": form,
            "result": result,
            "table": table,
            "charts": charts,
            "rolling_definition": ROLLING_DEFINITION,
            "suppressed": access.suppress_small_counts,
            "fewer_than": FEWER_THAN,
            "csv_query": _query(params, format="csv"),
            "xlsx_query": _query(params, format="xlsx"),
            "rolling_csv_query": _query(params, format="csv", part="rolling"),
            "rolling_xlsx_query": _query(params, format="xlsx", part="rolling"),
        },
    )


def _measures_download(
    request: HttpRequest,
    user: User,
    result: dict[str, Any],
    series: dict[str, list[dict[str, Any]]],
    fmt: str,
    district: District | None,
) -> HttpResponse:
    period = result["period"]
    rolling = request.GET.get("part") == "rolling"
    if rolling:

        def rolling_book(path: str) -> None:
            book = Workbook(write_only=True)
            rolling_xlsx_sheet(book, series)
            book.save(path)

        response = _attachment(
            request,
            fmt,
            f"children-rolling-average-{period['to']}",
            lambda out: rolling_csv(series, out),
            rolling_book,
        )
    else:
        response = _attachment(
            request,
            fmt,
            f"measures-{period['from']}-to-{period['to']}",
            lambda out: export.measures_csv(result, out),
            lambda path: export.measures_xlsx(result, path),
        )
    audit_export(
        event_type="report.measures.exported",
        object_type="aggregate",
        object_ids=(),
        reason=(
            f"/reports/measures/ {'rolling average ' if rolling else ''}from {period['from']} to {period['to']}"
            f" format {fmt}{f' district {district.name}' if district else ''}"
        ),
        actor=user,
    )
    return response


@login_required
@require_recent_authentication(when=asks_for_download)
def quarterly(request: HttpRequest) -> HttpResponse:
    user, access = _actor(request, Report.QUARTERLY)
    today = local_today()
    form = QuarterlyFilter(
        _form_data(request, {"year": str(today.year), "quarter": str((today.month - 1) // 3 + 1)}, access),
        districts=access.districts,
        force_wide=access.force_wide,
    )
    data: dict[str, Any] | None = None
    blocks = []
    if form.is_valid():
        district = form.chosen_district()
        year, number = form.cleaned_data["year"], int(form.cleaned_data["quarter"])
        data = quarterly_mi(quarter(year, number), district)
        if access.suppress_small_counts:
            data = suppress_quarterly(data)
        fmt = _download_format(request)
        if fmt is not None:
            return _quarterly_download(request, user, data, fmt, year, number, district)
        blocks = _quarterly_blocks(data)
    params = {
        "year": form.data.get("year", ""),
        "quarter": form.data.get("quarter", ""),
        "district": form.data.get("district", ""),
    }
    return render(
        request,
        "insights/quarterly.html",
        {
            "form": form,
            "data": data,
            "blocks": blocks,
            "definition": QUARTERLY_DEFINITION,
            "suppressed": access.suppress_small_counts,
            "csv_query": _query(params, format="csv"),
            "xlsx_query": _query(params, format="xlsx"),
        },
    )


def _show(value: int | None) -> str:
    return FEWER_THAN if value is None else f"{value:,}"


def _quarterly_blocks(data: dict[str, Any]) -> list[dict[str, Any]]:
    scopes = [("All districts", data["force"])] if data["district"] is None else []
    scopes += list(data["districts"].items())
    blocks = []
    for scope, block in scopes:
        dimensions = []
        for key, label in DIMENSION_LABELS.items():
            cells = sorted(block.get(key, {}).items())
            title = f"{label}: episodes, {scope}"
            dimensions.append(
                {
                    "key": key,
                    "label": label,
                    "svg": bar_chart(
                        title,
                        [
                            Point(category, cell["episodes"], _show(cell["episodes"]))
                            for category, cell in cells
                        ],
                    ),
                    "rows": [
                        {
                            "category": c,
                            "episodes": _show(cell["episodes"]),
                            "individuals": _show(cell["individuals"]),
                        }
                        for c, cell in cells
                    ],
                }
            )
        blocks.append(
            {
                "scope": scope,
                "episodes": _show(block["totals"]["episodes"]),
                "individuals": _show(block["totals"]["individuals"]),
                "dimensions": dimensions,
            }
        )
    return blocks


def _quarterly_download(
    request: HttpRequest,
    user: User,
    data: dict[str, Any],
    fmt: str,
    year: int,
    number: int,
    district: District | None,
) -> HttpResponse:
    response = _attachment(
        request,
        fmt,
        f"quarterly-{year}-q{number}",
        lambda out: quarterly_csv(data, out),
        lambda path: quarterly_xlsx(data, path),
    )
    audit_export(
        event_type="report.quarterly.exported",
        object_type="aggregate",
        object_ids=(),
        reason=(
            f"/reports/quarterly/ year {year} quarter {number} format {fmt}"
            f"{f' district {district.name}' if district else ''}"
        ),
        actor=user,
    )
    return response
