from __future__ import annotations

from django import forms

from homeward.dataprotection.models import EraseReason


class RetainForm(forms.Form):
    reason = forms.CharField(
        label="Why the record is still needed", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    next_review_on = forms.DateField(label="Review again on", widget=forms.DateInput(attrs={"type": "date"}))


class EraseForm(forms.Form):
    erase_reason = forms.ChoiceField(
        label="Why the record is erased", choices=EraseReason.choices, widget=forms.RadioSelect
    )
    confirm = forms.BooleanField(
        label="I understand that names, dates of birth, descriptions, contacts, addresses, photos and every "
        "free-text note about this person will be removed for good"
    )


class InErrorForm(forms.Form):
    reason = forms.CharField(
        label="Why the report was made in error",
        help_text="For example: recorded against the wrong person; the person was never missing.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
