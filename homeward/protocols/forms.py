"""Forms for profile pages. They list only the fields a user may set: holder, person, status and
review dates never appear, so posting them does nothing (ARCHITECTURE habit 4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from homeward.identity.models import Organisation
from homeward.people.forms import PersonCreateForm
from homeward.places.models import Location
from homeward.protocols.actions import SUBMIT_REQUIRED, TEXT_LIMIT, MissingReportData
from homeward.protocols.models import PART1_FIELDS, Scheme, part1_help, part1_label


def _text(name: str, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=part1_label(name),
        help_text=part1_help(name),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class Part1Form(forms.Form):
    scheme = forms.ChoiceField(label="Protocol", choices=Scheme.choices, widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in PART1_FIELDS:
            self.fields[name] = _text(name)

    def part1(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in PART1_FIELDS}


class Part1EditForm(Part1Form):
    """Part 1 plus the version the keeper loaded, so a later save can detect a conflict."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def changes(self) -> dict[str, str]:
        return {"scheme": self.cleaned_data["scheme"], **self.part1()}


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CloseForm(VersionForm):
    reason = forms.CharField(
        label="Why is the profile no longer needed?",
        max_length=300,
        help_text="For example: turned 18 and left care; moved out of the area",
    )


class PhotoForm(forms.Form):
    image = forms.FileField(label="Photo (JPEG, PNG or WebP)")
    taken_on = forms.DateField(label="Date taken", widget=forms.DateInput(attrs={"type": "date"}))
    caption = forms.CharField(max_length=200, required=False)


class TransferForm(VersionForm):
    new_holder: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="New holder",
        empty_label="The family (enter who below)",
        help_text="The provider running the new placement, the hospital, or the local authority",
    )
    new_holder_name = forms.CharField(
        label="Family member holding it",
        max_length=200,
        required=False,
        help_text="Name, relationship and phone number, when the family holds the profile",
    )
    reason = forms.CharField(label="Why it is moving", max_length=300, required=False)

    def __init__(self, *args: Any, holders: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ModelChoiceField[Organisation] = self.fields["new_holder"]  # type: ignore[assignment]
        field.queryset = holders


def local_input(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


class MissingReportForm(forms.Form):
    """Part 2. What a submission needs (actions.SUBMIT_REQUIRED) is required here too, with the same
    messages, so labels do not say "optional"; a draft may be partial, so saving one relaxes them."""

    missing_from: forms.ModelChoiceField[Location] = forms.ModelChoiceField(
        queryset=Location.objects.none(),
        required=False,
        label="Missing from",
        empty_label="Somewhere else (describe below)",
    )
    last_seen_at = forms.DateTimeField(
        label="Last seen (date and time)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    last_seen_place = forms.CharField(label="Where last seen", max_length=300, required=False)
    last_seen_with = forms.CharField(label="Who with", max_length=300, required=False)
    clothing = forms.CharField(
        label="Clothing when last seen",
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Colours, brands, shoes, coat, bag",
    )
    circumstances = forms.CharField(
        label="What happened",
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="How they left, their mood, anything said, anything taken",
    )
    reasonable_steps = forms.CharField(
        label="Reasonable steps taken before reporting",
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Searches of the building and grounds, calls and messages to them, friends and "
        "family contacted, places checked — with times",
    )
    reporter_name = forms.CharField(label="Your name", max_length=200, required=False)
    reporter_relationship = forms.CharField(
        label="Your role", max_length=100, required=False, help_text="For example: residential support worker"
    )
    reporter_phone = forms.CharField(label="Phone number the police can call", max_length=40, required=False)

    def __init__(self, *args: Any, locations: QuerySet[Location], draft: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ModelChoiceField[Location] = self.fields["missing_from"]  # type: ignore[assignment]
        field.queryset = locations
        for name, message in SUBMIT_REQUIRED.items():
            self.fields[name].required = not draft
            self.fields[name].error_messages["required"] = message

    def data_for_action(self) -> MissingReportData:
        d = self.cleaned_data
        when = d.get("last_seen_at")
        if when is not None and not timezone.is_aware(when):
            when = timezone.make_aware(when)
        return MissingReportData(
            missing_from=d.get("missing_from"),
            last_seen_at=when,
            last_seen_place=d.get("last_seen_place") or "",
            last_seen_with=d.get("last_seen_with") or "",
            clothing=d.get("clothing") or "",
            circumstances=d.get("circumstances") or "",
            reasonable_steps=d.get("reasonable_steps") or "",
            reporter_name=d.get("reporter_name") or "",
            reporter_relationship=d.get("reporter_relationship") or "",
            reporter_phone=d.get("reporter_phone") or "",
        )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing it?",
        max_length=300,
        help_text="For example: came back at 21:40 before the police attended",
    )


class ResidentForm(PersonCreateForm):
    """A new resident's record, started by the care provider (people.actions.resident_register)."""

    location = forms.ModelChoiceField(
        queryset=Location.objects.none(), label="Where they live", empty_label="Choose your premises"
    )
    since = forms.DateField(label="Date they moved in", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, premises: QuerySet[Location], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = premises  # type: ignore[attr-defined]
