from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone

from homeward.audit.models import BreachCategory, IcoDecision, Operation
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


# --- Breach response (P14) ---------------------------------------------------------------------------
# The forms check shape only; the rules (ids exist, window in order, reasons required) are the actions'.

MAX_IDS = 500


class IdListField(forms.CharField):
    """Record ids typed as a list: "12, 15 19". Cleans to a sorted list of distinct numbers."""

    def __init__(self, *, noun: str, **kwargs: Any) -> None:
        self.noun = noun
        super().__init__(required=False, max_length=5000, **kwargs)

    def clean(self, value: Any) -> list[int]:
        text = super().clean(value)
        parts = [p for p in re.split(r"[\s,;]+", text or "") if p]
        if any(not p.isascii() or not p.isdigit() or len(p) > 15 for p in parts):
            raise forms.ValidationError(f"Enter {self.noun} IDs as numbers separated by commas")
        ids = sorted({int(p) for p in parts})
        if len(ids) > MAX_IDS:
            raise forms.ValidationError(
                f"Name at most {MAX_IDS} {self.noun}s; open a second incident for more"
            )
        return ids


def _when(label: str, *, required: bool = True, help_text: str = "") -> forms.DateTimeField:
    """A native date-and-time picker (no JavaScript), in the local time of the force."""
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as a real date and time",
        },
    )


def _text(
    label: str, *, required: bool = False, help_text: str = "", rows: int = 4, message: str = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=10_000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": message or f"Enter the {label.lower()}"},
    )


def ids_text(ids: list[int]) -> str:
    return ", ".join(str(i) for i in ids)


def local_input(value: dt.datetime | None) -> str:
    """A stored time as a datetime-local input shows it."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value is not None else ""


class BreachIncidentForm(forms.Form):
    discovered_at = _when(
        "Time of discovery",
        help_text="When your organisation became aware of the breach: the 72 hours to report it start here",
    )
    discovered_by = forms.CharField(
        label="Discovered by",
        max_length=200,
        help_text="Name and role of the person who noticed it, or how it came to light",
        error_messages={"required": "Say who discovered the breach"},
    )
    description = _text("What happened", required=True, rows=6, message="Describe what happened")
    category = forms.ChoiceField(
        label="Kind of breach",
        choices=BreachCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of breach"},
    )
    person_ids = IdListField(
        label="People involved (person IDs)",
        noun="person",
        help_text="Their episodes, interviews, plans and other records are included",
    )
    episode_ids = IdListField(label="Episodes involved (episode IDs)", noun="episode")
    suspected_user_ids = IdListField(
        label="User accounts suspected (user IDs)",
        noun="user",
        help_text="Accounts that may have been misused or compromised",
    )
    window_start = _when(
        "Start of the window to examine", help_text="The earliest time the breach could have begun"
    )
    window_end = _when(
        "End of the window", required=False, help_text="Leave empty while it may still be going on"
    )
    containment = _text(
        "Containment and recovery", help_text="What has been done to stop it and limit the harm"
    )
    consequences = _text("Likely consequences", help_text="For the people whose data is involved")
    ico_decision = forms.ChoiceField(
        label="Must it be reported to the ICO?",
        choices=IcoDecision.choices,
        widget=forms.RadioSelect,
        initial=IcoDecision.UNDECIDED,
        error_messages={"required": "Choose whether it must be reported to the ICO"},
    )
    not_reported_reason = _text(
        "Reason for not reporting",
        help_text="Required if it need not be reported: why it is unlikely to result in a risk to people",
    )

    def fields_for_action(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields if name != "version"}


class BreachVersionedForm(forms.Form):
    """Carries the version of the incident the responder saw, so a later save can detect a conflict."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class BreachIncidentEditForm(BreachVersionedForm, BreachIncidentForm):
    pass


class BreachReportForm(BreachVersionedForm):
    reported_at = _when("Time reported to the ICO")
    ico_reference = forms.CharField(label="ICO reference", required=False, max_length=60)
    delay_reason = _text(
        "Reasons for the delay",
        help_text="Required if the report was made more than 72 hours after discovery (DPA 2018 s.67(4))",
    )


class BreachCloseForm(BreachVersionedForm):
    closing_note = _text("Closing note", help_text="Outcome and lessons learned")
