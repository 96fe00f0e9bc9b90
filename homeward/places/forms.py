from __future__ import annotations

from typing import Any

from django import forms

from homeward.identity.models import District, Organisation, OrganisationKind, User
from homeward.places.models import LocationCategory


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
        district: forms.ModelChoiceField = self.fields["district"]  # type: ignore[assignment]
        district.queryset = District.objects.filter(force_id=force_id)
        provider: forms.ModelChoiceField = self.fields["provider"]  # type: ignore[assignment]
        provider.queryset = Organisation.objects.filter(
            force_id=force_id,
            kind__in=[
                OrganisationKind.CARE_PROVIDER,
                OrganisationKind.NHS_TRUST,
                OrganisationKind.LOCAL_AUTHORITY,
            ],
        )
