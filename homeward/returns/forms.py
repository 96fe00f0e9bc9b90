"""Page forms. They check shape only; the rules (who, when, what is required) live in the actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms

from homeward.episodes.forms import datetime_field
from homeward.identity.models import User
from homeward.people.models import MarkerType
from homeward.returns.actions import TEXT_LIMIT
from homeward.returns.models import FINDING_FIELDS, FindingKind, RhiOutcome


def _when(label: str, what: str) -> forms.DateTimeField:
    field = datetime_field(label)
    field.error_messages = {
        **field.error_messages,
        "required": f"Enter {what}",
        "invalid": f"Enter {what} as a real date and time",
    }
    return field


class VersionedForm(forms.Form):
    """Carries the version of the interview the user saw, so a later save can detect a conflict."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# django-stubs types these fields as generic in their model, but Django's classes are not
# subscriptable at run time: the parameterised bases exist for the type checker only.
if TYPE_CHECKING:
    _UserChoiceField = forms.ModelChoiceField[User]
else:
    _UserChoiceField = forms.ModelChoiceField


class WorkerChoiceField(_UserChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class AssignForm(VersionedForm):
    worker = WorkerChoiceField(
        label="Return interview worker",
        queryset=User.objects.none(),
        empty_label="Choose a worker",
        error_messages={"required": "Choose a worker", "invalid_choice": "Choose a worker of this service"},
    )

    def __init__(self, *args: Any, workers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        worker_field: forms.ModelChoiceField[User] = self.fields["worker"]  # type: ignore[assignment]
        worker_field.queryset = workers


class OfferForm(VersionedForm):
    offered_at = _when("When the interview was offered (date and time)", "when the interview was offered")
    note = forms.CharField(
        label="How it was offered",
        max_length=300,
        required=False,
        help_text="For example: by phone to the child, in person at the placement",
    )


def _text(label: str, help_text: str = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_LIMIT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class OutcomeForm(VersionedForm):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=RhiOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the interview was completed, declined or not possible"},
    )
    completed_at = _when(
        "When the interview took place, was declined or found not possible", "when this happened"
    )
    # Completed: the Missing People good-practice template, before, during and after the episode.
    push_factors = _text("Push factors", "What made them leave: at home, in placement, at school")
    pull_factors = _text("Pull factors", "What drew them away: people, places, exploitation")
    where_went = _text("Where they went")
    with_whom = _text("Who they were with")
    how_travelled = _text("How they travelled, and how they got back")
    disclosures = _text("Disclosures")
    harm = _text("Harm suffered or risk of harm")
    support_needed = _text("Support they need now")
    referrals = _text("Referrals made", "For example: early help, CSE team, substance misuse service")
    child_voice = _text("In the child's own words", rows=4)
    # Declined: the carer is invited to give what they know instead.
    carer_account = _text(
        "The carer's account",
        "Required if the child declined: what the carer knows of why they went, where and with whom",
        rows=4,
    )
    # Not possible: why.
    not_possible_reason = _text("Why the interview was not possible", "Required if not possible")

    def finding_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in FINDING_FIELDS]


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(
        label="What to add",
        choices=FindingKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what to propose: an associate, a place or a marker"},
    )
    value = forms.CharField(
        label="Name of the associate, or the place",
        max_length=300,
        required=False,
        help_text="Leave empty for a marker",
    )
    marker = forms.ChoiceField(
        label="Marker",
        choices=[("", "Choose a marker (for a marker only)"), *MarkerType.choices],
        required=False,
    )
    detail = forms.CharField(
        label="Detail",
        max_length=300,
        required=False,
        help_text="The associate's relationship to them; what a place is used for; what a marker rests on",
    )

    def proposal_value(self) -> str:
        data = self.cleaned_data
        return str(data["marker"] if data["kind"] == FindingKind.MARKER else data["value"])


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Add this to the person's record?",
        choices=[("accept", "Yes, add it (the interview is recorded as its source)"), ("reject", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to add it to the record"},
    )
    note = forms.CharField(label="Note", max_length=300, required=False, help_text="Why, if not adding it")
