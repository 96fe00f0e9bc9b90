"""The add-an-entry page. Parses input; the rules (signposting needs services and a time…) are in the action."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from homeward.episodes.forms import as_aware, datetime_field
from homeward.families.actions import ContactData
from homeward.families.models import ContactDirection, ContactMethod, FamilyContact, SupportService

YES_NO = [("yes", "Yes"), ("no", "No")]


class FamilyContactForm(forms.Form):
    corrects = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    contacted_at = datetime_field("When the contact happened (date and time)")
    contacted_at.error_messages["required"] = "Enter when the contact happened"
    contact_name = forms.CharField(
        label="Name of the person contacted",
        max_length=200,
        error_messages={"required": "Enter the name of the person contacted"},
    )
    relationship = forms.CharField(
        label="Their relationship to the missing person",
        max_length=100,
        help_text="For example: mother, older brother, foster carer",
        error_messages={"required": "Enter their relationship to the missing person"},
    )
    method = forms.ChoiceField(
        label="How",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the contact was made"},
    )
    direction = forms.ChoiceField(
        label="Who made the contact",
        choices=ContactDirection.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who made the contact"},
    )
    summary = forms.CharField(
        label="Summary",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What was said: updates given, information received, the family's concerns",
        error_messages={"required": "Enter a summary of the contact"},
    )
    signposted = forms.TypedChoiceField(
        label="Were they signposted to support?",
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Answer whether they were signposted to support"},
    )
    signposted_to = forms.MultipleChoiceField(
        label="Support they were signposted to",
        choices=SupportService.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Only if they were signposted",
    )
    signposted_other = forms.CharField(label="Other support service", max_length=200, required=False)
    signposted_at = datetime_field("When they were signposted (date and time)", required=False)

    def contact_data(self) -> ContactData:
        data = self.cleaned_data
        signposted_at = data["signposted_at"]
        return ContactData(
            contacted_at=as_aware(data["contacted_at"]),
            contact_name=data["contact_name"],
            relationship=data["relationship"],
            method=data["method"],
            direction=data["direction"],
            summary=data["summary"],
            signposted=data["signposted"],
            signposted_to=list(data["signposted_to"]),
            signposted_other=data["signposted_other"],
            signposted_at=as_aware(signposted_at) if signposted_at is not None else None,
        )


def initial_from(contact: FamilyContact) -> dict[str, Any]:
    """A correction starts from what the entry it corrects says."""
    fmt = "%Y-%m-%dT%H:%M"
    return {
        "corrects": contact.pk,
        "contacted_at": timezone.localtime(contact.contacted_at).strftime(fmt),
        "contact_name": contact.contact_name,
        "relationship": contact.relationship,
        "method": contact.method,
        "direction": contact.direction,
        "summary": contact.summary,
        "signposted": "yes" if contact.signposted else "no",
        "signposted_to": list(contact.signposted_to),
        "signposted_other": contact.signposted_other,
        "signposted_at": timezone.localtime(contact.signposted_at).strftime(fmt)
        if contact.signposted_at
        else "",
    }
