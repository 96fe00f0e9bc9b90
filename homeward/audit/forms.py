from __future__ import annotations

import re
from typing import Any

from django import forms

from homeward.audit.models import Operation
from homeward.audit.selectors import AuditSearch

_RECORD_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class AuditSearchForm(forms.Form):
    """A GET form: the criteria stay in the address so pages and the export repeat the same search.
    Ids and dates only, never names (no personal data in URLs)."""

    person = forms.IntegerField(
        label="Person ID",
        required=False,
        min_value=1,
        max_value=10**15,
        help_text="Events about the person record and the records about them (episodes, interviews, plans…)",
    )
    object_type = forms.ChoiceField(label="Record type", required=False)
    object_id = forms.CharField(label="Record ID", required=False, max_length=64, strip=True)
    user = forms.IntegerField(
        label="User ID", required=False, min_value=1, max_value=10**15, help_text="The person who did it"
    )
    operation = forms.ChoiceField(
        label="Kind of processing", required=False, choices=[("", "Any"), *Operation.choices]
    )
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, object_types: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        object_type = self.fields["object_type"]
        assert isinstance(object_type, forms.ChoiceField)
        object_type.choices = [("", "Any"), *((t, t.replace("_", " ")) for t in object_types)]
        self.fields["date_from"].widget.input_type = "date"
        self.fields["date_to"].widget.input_type = "date"

    def clean_object_id(self) -> str:
        value: str = self.cleaned_data["object_id"]
        if value and not _RECORD_ID.match(value):
            raise forms.ValidationError("Enter a record ID: letters, digits, - or _ only")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("object_id") and not data.get("object_type"):
            self.add_error("object_type", "Choose the type of the record")
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return data

    def search(self) -> AuditSearch:
        d = self.cleaned_data
        return AuditSearch(
            person_id=d.get("person"),
            object_type=d.get("object_type") or "",
            object_id=d.get("object_id") or "",
            user_id=d.get("user"),
            operation=d.get("operation") or "",
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
        )
