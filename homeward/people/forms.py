from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from homeward.identity.models import Organisation, OrganisationKind
from homeward.people.models import Ethnicity, MarkerType, OfficerEthnicity, Sex
from homeward.places.models import Location


class PersonSearchForm(forms.Form):
    """Find before create. Any of the name parts and any part of the date of birth may be given."""

    given_name = forms.CharField(label="First name", max_length=100, required=False)
    family_name = forms.CharField(label="Last name", max_length=100, required=False)
    birth_day = forms.IntegerField(label="Day", min_value=1, max_value=31, required=False)
    birth_month = forms.IntegerField(label="Month", min_value=1, max_value=12, required=False)
    birth_year = forms.IntegerField(label="Year", min_value=1900, max_value=2100, required=False)
    age = forms.IntegerField(label="Or approximate age", min_value=0, max_value=120, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("given_name") or data.get("family_name")):
            raise forms.ValidationError("Enter a first name or a last name to search for")
        day, month, year = data.get("birth_day"), data.get("birth_month"), data.get("birth_year")
        if day and month and year:
            try:
                dt.date(year, month, day)
            except ValueError:
                self.add_error("birth_day", "Date of birth must be a real date")
        return data


class PersonCreateForm(forms.Form):
    given_name = forms.CharField(label="First name", max_length=100)
    family_name = forms.CharField(label="Last name", max_length=100)
    date_of_birth = forms.DateField(
        label="Date of birth",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave blank if unknown and give an estimated age instead",
    )
    estimated_age = forms.IntegerField(label="Estimated age", min_value=0, max_value=120, required=False)
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, widget=forms.RadioSelect, initial=Sex.UNKNOWN)
    gender = forms.CharField(label="Gender (as the person describes it)", max_length=60, required=False)
    ethnicity = forms.ChoiceField(
        label="Self-defined ethnicity", choices=Ethnicity.choices, initial=Ethnicity.NOT_STATED
    )
    officer_ethnicity = forms.ChoiceField(
        label="Officer-defined ethnicity",
        choices=OfficerEthnicity.choices,
        initial=OfficerEthnicity.NOT_KNOWN,
    )
    height_cm = forms.IntegerField(label="Height (cm)", min_value=40, max_value=250, required=False)
    build = forms.CharField(max_length=60, required=False)
    hair = forms.CharField(max_length=100, required=False)
    eyes = forms.CharField(max_length=60, required=False)
    marks = forms.CharField(
        label="Marks, scars and tattoos", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    first_language = forms.CharField(max_length=60, required=False)
    aliases = forms.CharField(
        label="Other names, aliases or nicknames",
        required=False,
        max_length=500,
        help_text="Separate names with commas, for example: Rubes Hart, Ruby-Mae",
    )
    markers = forms.MultipleChoiceField(
        label="Vulnerability markers",
        choices=MarkerType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    looked_after = forms.BooleanField(label="Looked-after child / in local authority care", required=False)
    placing_authority = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY),
        required=False,
        label="Placing authority",
    )
    supplied_by = forms.CharField(
        label="Who supplied these details",
        max_length=200,
        help_text="The name and role of the person who gave the information, for example the reporting carer",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_of_birth") and data.get("estimated_age") is not None:
            self.add_error("estimated_age", "Give a date of birth or an estimated age, not both")
        return data

    def aliases_list(self) -> list[tuple[str, str]]:
        result = []
        for chunk in self.cleaned_data.get("aliases", "").split(","):
            parts = chunk.strip().split()
            if parts:
                result.append((parts[0], " ".join(parts[1:])))
        return result


class PhotoForm(forms.Form):
    image = forms.FileField(label="Photo (JPEG, PNG or WebP)")
    taken_on = forms.DateField(label="Date taken", widget=forms.DateInput(attrs={"type": "date"}))
    caption = forms.CharField(max_length=200, required=False)
    supplied_by = forms.CharField(label="Supplied by", max_length=200)


class FactForm(forms.Form):
    kind = forms.ChoiceField(
        label="What to add",
        choices=[
            ("alias", "Other name or nickname"),
            ("associate", "Associate"),
            ("place", "Place frequented"),
            ("contact", "Phone or social media"),
            ("marker", "Vulnerability marker"),
        ],
    )
    value = forms.CharField(label="Name, place, number or account", max_length=300, required=False)
    detail = forms.CharField(
        label="Relationship, kind of contact or detail",
        max_length=300,
        required=False,
        help_text="For an associate: how they know the person. For a contact: phone, Snapchat, Instagram…",
    )
    marker = forms.ChoiceField(label="Marker", choices=[("", "—"), *MarkerType.choices], required=False)
    supplied_by = forms.CharField(label="Supplied by", max_length=200)


class PersonEditForm(PersonCreateForm):
    """The same facts as at creation; aliases and markers are added one by one with their own source."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["aliases"]
        del self.fields["markers"]
        self.fields["supplied_by"].help_text = "Who gave the new or corrected details"

    # The fields an update may change, in the order of the form.
    FACTS = (
        "given_name",
        "family_name",
        "date_of_birth",
        "estimated_age",
        "sex",
        "gender",
        "ethnicity",
        "officer_ethnicity",
        "height_cm",
        "build",
        "hair",
        "eyes",
        "marks",
        "first_language",
        "looked_after",
        "placing_authority",
    )

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FACTS if name in self.cleaned_data}


class AddressForm(forms.Form):
    location: forms.ModelChoiceField[Location] = forms.ModelChoiceField(
        queryset=Location.objects.none(),
        required=False,
        label="Known place (children's home, foster placement…)",
        empty_label="Not listed — enter the address below",
    )
    address = forms.CharField(max_length=300, required=False)
    since = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    is_placement = forms.BooleanField(label="This is a care placement", required=False)
    placing_authority = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY), required=False
    )
    supplied_by = forms.CharField(label="Supplied by", max_length=200)

    def __init__(self, *args: Any, locations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        location: forms.ModelChoiceField[Location] = self.fields["location"]  # type: ignore[assignment]
        location.queryset = locations


class MergeForm(forms.Form):
    """Merge a duplicate record into this one: first the other record's reference, then a confirmation
    showing both side by side with the reason, which carries the versions both were shown at."""

    other_record = forms.CharField(
        label="Reference of the other record",
        max_length=20,
        help_text="The number at the end of the other record's web address, for example 1234",
    )
    reason = forms.CharField(
        label="Why are these the same person?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: same name, date of birth and address; confirmed with the carer",
    )
    keep_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    duplicate_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, confirming: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The first step asks only for the other record; the reason and versions come with the confirmation.
        if not confirming:
            for name in ("reason", "keep_version", "duplicate_version"):
                self.fields[name].required = False

    def clean_other_record(self) -> int:
        raw = self.cleaned_data["other_record"].strip().lstrip("#").removeprefix("P").removeprefix("p")
        raw = raw.lstrip("-").strip()
        if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
            raise forms.ValidationError("Enter the other record's reference, a number such as 1234")
        return int(raw)
