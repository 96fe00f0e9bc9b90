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

import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from homeward.audit.log import audit_consultation
from homeward.identity.auth_views import asks_for_download, require_recent_authentication
from homeward.identity.models import Organisation, OrganisationKind, User
from homeward.insights.access import Report, report_access
from homeward.insights.commands import audit_export
from homeward.insights.measures import local_today
from homeward.insights.national_returns import (
    NationalReturn,
    financial_year,
    lac_missing_return,
    missing_persons_data_return,
    return_csv_zip,
    return_xlsx,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MPDR, LAC = "mpdr", "lac"
RETURN_LABELS = {
    MPDR: "Missing persons data return (UK Missing Persons Unit)",
    LAC: "Looked-after children missing episodes return (DfE)",
}


def last_complete_financial_year(today: Any) -> int:
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
    params = {k: form.data.get(k, "") for k in ("return", "year", "authority")}
    query = {k: v for k, v in params.items() if v}
    return render(
        request,
        "insights/national_returns.html",
        {
            "form": form,
            "result": result,
            "csv_query": urlencode({**query, "format": "csv"}),
            "xlsx_query": urlencode({**query, "format": "xlsx"}),
        },
    )


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
