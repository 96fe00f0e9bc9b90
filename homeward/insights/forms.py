"""The report filters: GET forms whose errors sit beside the field and keep what was typed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet

from homeward.identity.models import District

DATE_HELP = "For example, 2025-03-30"
_DATE_ERRORS = {
    "required": "Enter a date",
    "invalid": "Enter a real date as YYYY-MM-DD, for example 2025-03-30",
}


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=["%Y-%m-%d"],
        help_text=DATE_HELP,
        error_messages=_DATE_ERRORS,
        widget=forms.TextInput(),
    )


class ReportFilter(forms.Form):
    district = forms.ChoiceField(
        label="District",
        required=False,
        error_messages={"invalid_choice": "Choose a district from the list"},
    )

    def __init__(self, *args: Any, districts: QuerySet[District], force_wide: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._districts = {str(d.pk): d for d in districts}
        choices = [("", "All districts")] if force_wide else []
        choices += [(key, d.name) for key, d in self._districts.items()]
        field = self.fields["district"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        field.required = not force_wide
        if not force_wide:
            field.error_messages["required"] = "Choose a district"

    def chosen_district(self) -> District | None:
        return self._districts.get(self.cleaned_data.get("district") or "")


class WeeklyFilter(ReportFilter):
    as_of = _date_field("As of")
    field_order = ["as_of", "district"]


class MeasuresFilter(ReportFilter):
    date_from = _date_field("From")
    date_to = _date_field("To (inclusive)")
    field_order = ["date_from", "date_to", "district"]

    def add_prefix(self, field_name: str) -> str:
        # The URL parameters are ?from=&to= (a Python keyword), so the fields are named that way.
        return {"date_from": "from", "date_to": "to"}.get(field_name, field_name)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return data


class QuarterlyFilter(ReportFilter):
    year = forms.IntegerField(
        label="Year",
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
    quarter = forms.ChoiceField(
        label="Quarter",
        choices=[
            ("1", "Q1 (January to March)"),
            ("2", "Q2 (April to June)"),
            ("3", "Q3 (July to September)"),
            ("4", "Q4 (October to December)"),
        ],
        error_messages={"required": "Choose a quarter", "invalid_choice": "Choose a quarter from the list"},
    )
    field_order = ["year", "quarter", "district"]


def previous_month(today: dt.date) -> tuple[dt.date, dt.date]:
    last = today.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last
