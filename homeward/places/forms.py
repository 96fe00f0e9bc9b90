from __future__ import annotations

from typing import Any

from django import forms

from homeward.identity.models import District, Organisation, OrganisationKind, User
from homeward.places.models import LocalityOutcome, LocalityRisk, LocationCategory


class LocationForm(forms.Form):
    name = forms.CharField(max_length=200)
    category = forms.ChoiceField(label="Kind of place", choices=LocationCategory.choices)
    address = forms.CharField(max_length=300, required=False)
    postcode = forms.CharField(max_length=10, required=False)
    district = forms.ModelChoiceField(queryset=District.objects.none(), required=False)
    provider = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False, label="Provider")
    registration_ref = forms.CharField(label="Ofsted / CQC registration", max_length=40, required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        force_id = actor.organisation.force_id if actor.organisation else None
        district: forms.ModelChoiceField[District] = self.fields["district"]  # type: ignore[assignment]
        district.queryset = District.objects.filter(force_id=force_id)
        provider: forms.ModelChoiceField[Organisation] = self.fields["provider"]  # type: ignore[assignment]
        provider.queryset = Organisation.objects.filter(
            force_id=force_id,
            kind__in=[
                OrganisationKind.CARE_PROVIDER,
                OrganisationKind.NHS_TRUST,
                OrganisationKind.LOCAL_AUTHORITY,
            ],
        )


def _date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class LocalityAssessmentForm(forms.Form):
    """Parses the page; the rules (conditions required, review after the assessment…) are in the action."""

    outcome = forms.ChoiceField(
        label="Is the locality suitable for the home?",
        choices=LocalityOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the locality is suitable"},
    )
    assessed_on = _date_field("Date of the assessment")
    assessed_on.error_messages["required"] = "Enter the date of the assessment"
    risks = forms.MultipleChoiceField(
        label="Risks identified in the area",
        choices=LocalityRisk.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    other_risks = forms.CharField(label="Other risks", max_length=300, required=False)
    reasons = forms.CharField(
        label="Reasons",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text="What you found in the area and why it leads to this outcome",
        error_messages={"required": "Enter the reasons for the outcome"},
    )
    conditions = forms.CharField(
        label="Conditions",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
        help_text="Required when the locality is suitable with conditions: what the home will do",
    )
    review_due = _date_field("Next review due", required=False)

    def __init__(self, *args: Any, review_days: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["review_due"].help_text = f"Leave blank for {review_days} days after the assessment date"
