from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from homeward.episodes import policy
from homeward.episodes.actions import CALL_HANDLER_QUESTIONS, RISK_FACTORS, SYSTEMS
from homeward.episodes.models import Condition, EnquiryStatus, HowFound, InterviewOutcome, SightingStatus
from homeward.identity.models import District, User
from homeward.people.models import MarkerType
from homeward.places.models import Location, LocationCategory

ANSWER_CHOICES = [("yes", "Yes"), ("no", "No"), ("unknown", "Not known")]


def datetime_field(label: str, *, required: bool = True) -> forms.DateTimeField:
    """A native date-and-time picker: keyboard-usable, and no JavaScript needed."""
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class VersionedForm(forms.Form):
    """Carries the version of the episode the user saw, so a later save can detect a conflict."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class MpuNotifiedForm(VersionedForm):
    reference = forms.CharField(
        label="Missing persons unit reference (if given)", required=False, max_length=60
    )


class ReportForm(forms.Form):
    district = forms.ModelChoiceField(queryset=District.objects.none(), empty_label=None)
    missing_from = forms.ModelChoiceField(
        queryset=Location.objects.none(),
        required=False,
        label="Missing from (premises)",
        empty_label="Not listed — enter the address below",
        help_text="Children's homes, hospitals, care homes and other premises known to the force",
    )
    missing_from_address = forms.CharField(
        label="Or the address they are missing from", max_length=300, required=False
    )
    missing_from_category = forms.ChoiceField(
        label="Kind of place (when entering an address)",
        choices=[("", "Choose…"), *LocationCategory.choices],
        required=False,
    )
    reporting_person_name = forms.CharField(label="Name of the person reporting", max_length=200)
    reporting_person_relationship = forms.CharField(
        label="Their relationship to the missing person",
        max_length=100,
        help_text="For example: mother, care home manager",
    )
    reporting_person_phone = forms.CharField(label="Their phone number", max_length=40, required=False)
    last_seen_at = datetime_field("Last seen (date and time)")
    last_seen_place = forms.CharField(label="Where last seen", max_length=300)
    last_seen_with = forms.CharField(label="Who with", max_length=300, required=False)
    clothing = forms.CharField(
        label="Clothing when last seen", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    circumstances = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    reasonable_steps = forms.CharField(
        label="Reasonable steps the carer took before reporting",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when reporting from a children's home, foster placement or care home: searches made, "
        "calls to the child and friends, places checked",
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from homeward.episodes.selectors import districts_for
        from homeward.places.selectors import locations_visible_to

        district_field: forms.ModelChoiceField[District] = self.fields["district"]  # type: ignore[assignment]
        district_field.queryset = districts_for(actor=actor)
        missing_from_field: forms.ModelChoiceField[Location] = self.fields["missing_from"]  # type: ignore[assignment]
        missing_from_field.queryset = (
            locations_visible_to(actor).exclude(category=LocationCategory.PRIVATE_HOME).order_by("name")
        )
        if actor.district_id and not self.is_bound:
            self.fields["district"].initial = actor.district_id
        for key, question in CALL_HANDLER_QUESTIONS:
            self.fields[f"q_{key}"] = forms.ChoiceField(
                label=question, choices=ANSWER_CHOICES, widget=forms.RadioSelect, required=False
            )
            self.fields[f"q_{key}_detail"] = forms.CharField(label="Details", max_length=1000, required=False)

    def question_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"q_{key}"], self[f"q_{key}_detail"]) for key, _ in CALL_HANDLER_QUESTIONS]

    def answers(self) -> dict[str, dict[str, str]]:
        result = {}
        for key, _ in CALL_HANDLER_QUESTIONS:
            answer = self.cleaned_data.get(f"q_{key}")
            if answer:
                result[key] = {"answer": answer, "detail": self.cleaned_data.get(f"q_{key}_detail", "")}
        return result


class RiskForm(VersionedForm):
    level = forms.ChoiceField(label="Risk level", widget=forms.RadioSelect)
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Why this level: what you know, what you do not know, and the hypotheses kept separate from risk",
    )
    systems = forms.MultipleChoiceField(
        label="Systems checked", choices=SYSTEMS, required=False, widget=forms.CheckboxSelectMultiple
    )
    research_notes = forms.CharField(
        label="What the checks found", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, is_child: bool | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        level_field: forms.ChoiceField = self.fields["level"]  # type: ignore[assignment]
        level_field.choices = policy.levels_allowed(is_child=is_child)
        for key, question in RISK_FACTORS:
            self.fields[f"f_{key}"] = forms.ChoiceField(
                label=question, choices=ANSWER_CHOICES, widget=forms.RadioSelect, required=False
            )

    def factor_fields(self) -> list[forms.BoundField]:
        return [self[f"f_{key}"] for key, _ in RISK_FACTORS]

    def factors(self) -> dict[str, str]:
        return {
            key: self.cleaned_data[f"f_{key}"] for key, _ in RISK_FACTORS if self.cleaned_data.get(f"f_{key}")
        }

    def systems_checked(self) -> list[dict[str, str]]:
        notes = self.cleaned_data.get("research_notes", "")
        return [{"system": s, "result": notes} for s in self.cleaned_data.get("systems", [])]


class SignOffForm(VersionedForm):
    note = forms.CharField(
        label="Supervisor's note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Record that you are satisfied with the research and the grading",
    )
    next_review_due = datetime_field(
        "Next review (leave blank to keep the default for this level)", required=False
    )


class FoundForm(VersionedForm):
    found_at = datetime_field("Found at (date and time)")
    found_place = forms.CharField(label="Where found", max_length=300)
    found_location_category = forms.ChoiceField(
        label="Kind of place", choices=LocationCategory.choices, initial=LocationCategory.OTHER
    )
    how_found = forms.ChoiceField(label="How found", choices=HowFound.choices, widget=forms.RadioSelect)
    condition = forms.ChoiceField(choices=Condition.choices, widget=forms.RadioSelect)
    harm_details = forms.CharField(
        label="Harm or injury", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    victim_of_offence = forms.BooleanField(label="Victim of an offence while missing", required=False)
    suspect_of_offence = forms.BooleanField(label="Suspected of an offence while missing", required=False)
    exploitation_indicators = forms.MultipleChoiceField(
        label="Exploitation indicators",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (m, label)
            for m, label in MarkerType.choices
            if m in ("cse", "cce", "trafficking", "substance_misuse")
        ],
    )
    where_been = forms.CharField(
        label="Where they had been", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    with_whom = forms.CharField(label="Who with", max_length=300, required=False)
    withhold_whereabouts = forms.BooleanField(
        label="An adult who asks that their whereabouts are not passed on", required=False
    )


class InterviewForm(VersionedForm):
    outcome = forms.ChoiceField(choices=InterviewOutcome.choices, widget=forms.RadioSelect)
    conducted_at = datetime_field("When")
    face_to_face = forms.BooleanField(label="Face to face", required=False, initial=True)
    push_factors = forms.CharField(
        label="Push factors (why they left)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    pull_factors = forms.CharField(
        label="Pull factors (what drew them away)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    disclosures = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    harm = forms.CharField(label="Harm suffered", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    support_needed = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    referrals = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    carer_account = forms.CharField(
        label="Carer's or family's account (if the interview was declined)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CloseForm(VersionedForm):
    note = forms.CharField(label="Closing note", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    prevention_not_done_reason = forms.CharField(
        label="If no prevention interview was done, why not",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NotRecordedForm(VersionedForm):
    reason = forms.CharField(
        label="Why this report is not recorded as a missing episode", widget=forms.Textarea(attrs={"rows": 4})
    )


class UpdateForm(forms.Form):
    text = forms.CharField(label="Add an update", widget=forms.Textarea(attrs={"rows": 3}))


class SightingForm(forms.Form):
    seen_at = datetime_field("Seen at (date and time)")
    place = forms.CharField(max_length=300)
    reported_by = forms.CharField(label="Reported by", max_length=200)
    details = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    status = forms.ChoiceField(choices=SightingStatus.choices, initial=SightingStatus.UNVERIFIED)


class EnquiryForm(forms.Form):
    description = forms.CharField(label="Action or enquiry", max_length=500)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Unassigned")
    due_at = datetime_field("Due", required=False)

    def __init__(self, *args: Any, force_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner_field: forms.ModelChoiceField[User] = self.fields["owner"]  # type: ignore[assignment]
        owner_field.queryset = User.objects.filter(organisation_id=force_id, is_active=True).order_by(
            "last_name", "first_name"
        )


class EnquiryUpdateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.ChoiceField(choices=EnquiryStatus.choices)
    result = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


def local_now_input() -> str:
    """The current local time in the format datetime-local inputs expect, as a default."""
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def as_aware(value: dt.datetime) -> dt.datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


class EscalationForm(forms.Form):
    raised_by_name = forms.CharField(
        label="Your name and role", max_length=200, help_text="For example: Sam Patel, registered manager"
    )
    grounds = forms.CharField(
        label="Why the report should be recorded as missing",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What you know that the police may not have weighed: risks, history, what you have already done",
    )


class EscalationDecisionForm(VersionedForm):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=[
            ("overturn", "Overturn: record as missing now"),
            ("uphold", "Uphold the decision not to record"),
        ],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(label="Reasons", widget=forms.Textarea(attrs={"rows": 5}))
