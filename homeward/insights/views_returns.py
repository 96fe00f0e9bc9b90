"""The national returns page (/reports/national-returns/): choose the return, the financial year and, for the
looked-after children return, the local authority; see the tables; download them.

Access (access.report_access, Report.NATIONAL_RETURNS): police analysts and MFH coordinators choose
either return and any local authority; a council's children's social care missing officer gets only the
looked-after children return of its own council (asking for another authority, or for the force's
return, is a 403); everyone else 403. Showing the looked-after children return (child-level personal
data) logs a consultation naming the children; every download logs a disclosure
(`report.mpdr.exported`, `report.lac_return.exported`). Downloads: `?format=csv` (a zip of one CSV per
table plus about.csv) or `?format=xlsx` (one sheet per table plus "about").
"""

from __future__ import annotations

import datetime as dt
import html
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe

from homeward.audit.log import audit_consultation
from homeward.identity.auth_views import asks_for_download, require_recent_authentication
from homeward.identity.models import Organisation, OrganisationKind, User
from homeward.insights.access import Report, report_access
from homeward.insights.charts import Point, Stack, bar_chart, column_chart, stacked_bar_chart
from homeward.insights.commands import audit_export
from homeward.insights.measures import local_today
from homeward.insights.national_returns import (
    NationalReturn,
    Table,
    financial_year,
    lac_missing_return,
    missing_persons_data_return,
    return_csv_zip,
    return_xlsx,
)
from homeward.people.models import Sex

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MPDR, LAC = "mpdr", "lac"
RETURN_LABELS = {
    MPDR: "Missing persons data return (UK Missing Persons Unit)",
    LAC: "Looked-after children missing episodes return (DfE)",
}


def last_complete_financial_year(today: dt.date) -> int:
    """The start year of the latest financial year that has ended by `today`."""
    return today.year - 1 if today.month >= 4 else today.year - 2


class ReturnsFilter(forms.Form):
    kind = forms.ChoiceField(
        label="Return",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a return", "invalid_choice": "Choose a return from the list"},
    )
    year = forms.IntegerField(
        label="Financial year starting in",
        help_text="For example, 2025 for 1 April 2025 to 31 March 2026",
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": "Enter a year",
            "invalid": "Enter a year as 4 digits, for example 2025",
            "min_value": "Enter a year from 2000 to 2100",
            "max_value": "Enter a year from 2000 to 2100",
        },
        widget=forms.TextInput(),
    )
    authority = forms.ChoiceField(
        label="Local authority (looked-after children return)",
        required=False,
        error_messages={"invalid_choice": "Choose a local authority from the list"},
    )
    field_order = ["kind", "year", "authority"]

    def __init__(
        self, *args: Any, authorities: QuerySet[Organisation], force_return: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._authorities = {str(o.pk): o for o in authorities}
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [(k, v) for k, v in RETURN_LABELS.items() if force_return or k == LAC]
        authority = self.fields["authority"]
        assert isinstance(authority, forms.ChoiceField)
        authority.choices = [("", "Choose a local authority")] + [
            (k, o.name) for k, o in self._authorities.items()
        ]

    def add_prefix(self, field_name: str) -> str:
        # The URL parameter is ?return= (a Python keyword), so the field is named `kind`.
        return "return" if field_name == "kind" else field_name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == LAC and not data.get("authority"):
            self.add_error("authority", "Choose a local authority")
        return data

    def chosen_authority(self) -> Organisation | None:
        return self._authorities.get(self.cleaned_data.get("authority") or "")


def _refuse_other_authorities(
    request: HttpRequest, allowed: QuerySet[Organisation], force_return: bool
) -> None:
    """A 403, not a form error, for asking for a return the user may not have: another existing local
    authority's children, or (for a council) the force's return."""
    if request.GET.get("return") == MPDR and not force_return:
        raise PermissionDenied
    wanted = request.GET.get("authority", "")
    if (
        wanted.isdigit()
        and not allowed.filter(pk=int(wanted)).exists()
        and Organisation.objects.filter(pk=int(wanted), kind=OrganisationKind.LOCAL_AUTHORITY).exists()
    ):
        raise PermissionDenied


@login_required
@require_recent_authentication(when=asks_for_download)
def page(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    access = report_access(user, Report.NATIONAL_RETURNS)
    if not access.allowed:
        raise PermissionDenied
    _refuse_other_authorities(request, access.authorities, access.force_return)
    defaults = {
        "return": MPDR if access.force_return else LAC,
        "year": str(last_complete_financial_year(local_today())),
    }
    if not access.force_return:
        own = access.authorities.first()
        defaults["authority"] = str(own.pk) if own else ""
    data = {**defaults, **{key: request.GET.get(key, "") for key in request.GET}}
    form = ReturnsFilter(data, authorities=access.authorities, force_return=access.force_return)
    result: NationalReturn | None = None
    sections: list[dict[str, Any]] = []
    if form.is_valid():
        period = financial_year(form.cleaned_data["year"])
        authority = form.chosen_authority()
        if form.cleaned_data["kind"] == LAC:
            assert authority is not None
            result = lac_missing_return(period.first, period.last, authority)
        else:
            force = user.organisation if user.organisation and user.organisation.is_police else None
            result = missing_persons_data_return(period.first, period.last, force=force)
        fmt = request.GET.get("format", "")
        if fmt in ("csv", "xlsx"):
            return _download(user, result, fmt)
        if result.person_ids:
            _log_consultation(user, result)
        sections = return_sections(result)
    params = {k: form.data.get(k, "") for k in ("return", "year", "authority")}
    query = {k: v for k, v in params.items() if v}
    return render(
        request,
        "insights/national_returns.html",
        {
            "form": form,
            "result": result,
            "sections": sections,
            "csv_query": urlencode({**query, "format": "csv"}),
            "xlsx_query": urlencode({**query, "format": "xlsx"}),
        },
    )


# --- Charts: each a picture of the table shown beside it (SPEC §7) ----------------------------------------

AGE_SERIES = ("Children", "Adults", "Age unknown")


def _short(label: str, limit: int = 34) -> str:
    """A long category name cut for the bar label; the table beside the chart has it in full."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _bars(table: Table, value: str, what: str, *, skip: tuple[str, ...] = ()) -> SafeString:
    """One bar per row of `table`: the row's label (or its first cell) and its `value` column."""
    labels = "label" in table.columns
    points = [
        Point(_short(str(row["label"] if labels else row[table.columns[0]])), row[value])
        for row in table.as_dicts()
        if row[table.columns[0]] not in skip
    ]
    return bar_chart(f"{table.title}: {what}", points, label_width=260)


def _by_age(table: Table, *, skip: tuple[str, ...] = ()) -> SafeString:
    """Incidents per row split into children, adults and age unknown (the columns of AGE_COLUMNS)."""
    stacks = [
        Stack(_short(str(row["label"])), (row["children"], row["adults"], row["age_unknown"]))
        for row in table.as_dicts()
        if row[table.columns[0]] not in skip
    ]
    return stacked_bar_chart(
        f"{table.title}: incidents by age group at report", AGE_SERIES, stacks, label_width=260
    )


def _by_sex(table: Table) -> SafeString:
    sexes = [c for c in table.columns[2:] if c != "total"]
    stacks = [Stack(_short(str(row["label"])), tuple(row[s] for s in sexes)) for row in table.as_dicts()]
    names = [dict(Sex.choices).get(s, s) for s in sexes]
    return stacked_bar_chart(f"{table.title}: incidents by sex", names, stacks, label_width=160)


def _months(table: Table) -> SafeString:
    points = [Point(str(row["label"]).split()[0], row["incidents"]) for row in table.as_dicts()]
    described = "; ".join(f"{row['label']} {row['incidents']}" for row in table.as_dicts())
    return column_chart(f"{table.title}: incidents", points, desc=described or "no data")


CHARTS: dict[str, dict[str, Callable[[Table], SafeString]]] = {
    "mpdr": {
        "by_month": _months,
        "sex": lambda t: _bars(t, "incidents", "incidents"),
        "age_sex": _by_sex,
        "ethnicity": lambda t: _bars(t, "incidents", "incidents"),
        "risk": _by_age,
        "harm": lambda t: _by_age(t, skip=("victim_of_offence",)),
        "duration": _by_age,
        "who_found": _by_age,
        "missing_from_care": lambda t: _bars(t, "incidents", "incidents", skip=("all",)),
        "repeat_missing": lambda t: _bars(t, "individuals", "individuals by incidents in the year"),
    },
    "lac_return": {
        "by_month": _months,
        "duration": lambda t: _bars(t, "incidents", "incidents"),
        "placement_type": lambda t: _bars(t, "incidents", "incidents"),
        "age_at_start": lambda t: _bars(t, "incidents", "incidents"),
        "sex": lambda t: _bars(t, "incidents", "incidents"),
    },
}


def return_sections(result: NationalReturn) -> list[dict[str, Any]]:
    """The tables in order, each with its chart where one fits; incidents by month (the page's own
    table, not in the files) after the headline tables."""
    tables = list(result.tables)
    if result.monthly is not None:
        tables.insert(2 if result.key == "lac_return" else 1, result.monthly)
    charts = CHARTS.get(result.key, {})
    sections = []
    for t in tables:
        svg = charts[t.key](t) if t.key in charts else None
        # A narrow table sits beside its chart; a wide one goes under it, at full width.
        sections.append(
            {
                "table": t,
                "rows": [_row_cells(row) for row in t.rows],
                "svg": svg,
                "beside": svg is not None and len(t.columns) <= 4,
            }
        )
    return sections


def _row_cells(row: tuple[Any, ...]) -> SafeString:
    """A table row's cells as HTML, each value escaped. Built here rather than by the template: the LAC
    return has a row per incident (hundreds for a large authority, thousands of cells), and rendering
    each cell through template tags took several times longer than computing the return."""
    cells = "".join(f'<td class="govuk-table__cell">{html.escape(_cell_text(v))}</td>' for v in row)
    return mark_safe(cells)  # noqa: S308 - every value is escaped (html.escape: Django's escape, faster)


def _cell_text(value: Any) -> str:
    """A cell as the page shows it: dates as YYYY-MM-DD, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _log_consultation(user: User, result: NationalReturn) -> None:
    audit_consultation(
        actor=user, event_type="report.lac_return.viewed", object_type="person", object_ids=result.person_ids
    )


def file_stem(result: NationalReturn) -> str:
    """mpdr-2025-26 / lac-missing-return-2025-26."""
    year = f"{result.period.first.year}-{str(result.period.last.year)[-2:]}"
    return f"{'mpdr' if result.key == 'mpdr' else 'lac-missing-return'}-{year}"


def _download(user: User, result: NationalReturn, fmt: str) -> HttpResponse:
    stem = file_stem(result)
    if fmt == "csv":
        response = HttpResponse(return_csv_zip(result), content_type="application/zip")
        filename = f"{stem}.zip"
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = str(Path(folder) / "return.xlsx")
            return_xlsx(result, path)
            response = HttpResponse(Path(path).read_bytes(), content_type=XLSX_TYPE)
        filename = f"{stem}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    lac = result.key == "lac_return"
    audit_export(
        event_type="report.lac_return.exported" if lac else "report.mpdr.exported",
        object_type="person" if lac else "aggregate",
        object_ids=result.person_ids,
        reason=f"/reports/national-returns/ {result.title}, {result.scope}, {result.period} format {fmt}",
        actor=user,
    )
    return response
