"""Page forms. They check shape only; the rules (who, which subject, what is required) live in the actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms

from homeward.episodes.forms import datetime_field
from homeward.identity.models import District, Organisation, User
from homeward.prevention.actions import TEXT_LIMIT
from homeward.prevention.models import ActionStatus, ReferralStatus

# django-stubs types these fields as generic in their model, but Django's classes are not
# subscriptable at run time: the parameterised bases exist for the type checker only.
if TYPE_CHECKING:
    _OrganisationsMultipleChoiceField = forms.ModelMultipleChoiceField[Organisation]
    _OrganisationChoiceField = forms.ModelChoiceField[Organisation]
    _UserChoiceField = forms.ModelChoiceField[User]
    _DistrictChoiceField = forms.ModelChoiceField[District]
else:
    _OrganisationsMultipleChoiceField = forms.ModelMultipleChoiceField
    _OrganisationChoiceField = forms.ModelChoiceField
    _UserChoiceField = forms.ModelChoiceField
    _DistrictChoiceField = forms.ModelChoiceField


def date_field(label: str, *, required: bool = True, help_text: str = "", what: str = "") -> forms.DateField:
    """A native date picker: keyboard-usable, and no JavaScript needed."""
    what = what or label.lower()
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": f"Enter the {what}", "invalid": f"Enter the {what} as a real date"},
    )


def text(
    label: str, *, required: bool = False, help_text: str = "", rows: int = 4, message: str = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_LIMIT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": message or f"Enter the {label.lower()}"},
    )


class VersionedForm(forms.Form):
    """Carries the version of the record the user saw, so a later save can detect a conflict."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PlanFieldsForm(forms.Form):
    concerns = text(
        "Triggers and concerns",
        required=True,
        help_text="What sets off the missing episodes: people, places, times, push and pull factors",
        rows=6,
        message="Describe the triggers and concerns",
    )
    approach = text(
        "Agreed approach and goals",
        help_text="What each agency will do when the triggers appear, and what success looks like",
        rows=6,
    )
    review_on = date_field("Review date", required=False)


class PlanForm(PlanFieldsForm):
    kind = forms.ChoiceField(
        label="Kind of plan",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of plan"},
    )
    field_order = ["kind", "concerns", "approach", "review_on"]

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field: forms.ChoiceField = self.fields["kind"]  # type: ignore[assignment]
        kind_field.choices = kinds
        if len(kinds) and not self.is_bound:
            self.initial.setdefault("kind", kinds[0][0])


class PlanEditForm(VersionedForm, PlanFieldsForm):
    pass


class PlanCloseForm(VersionedForm):
    outcome = text(
        "Outcome",
        required=True,
        help_text="What changed, and why the plan can close",
        rows=6,
        message="Record the outcome: what changed, and why the plan can close",
    )


class OrganisationsField(_OrganisationsMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class MeetingForm(forms.Form):
    held_at = datetime_field("Date and time of the meeting")
    chair = forms.CharField(
        label="Chair",
        max_length=200,
        help_text="Name and role, for example: DS Amy Clarke, missing from home coordinator",
        error_messages={"required": "Enter who chairs the meeting"},
    )
    attending_organisations = OrganisationsField(
        label="Agencies attending",
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one agency attending",
            "invalid_choice": "Choose agencies from the list",
        },
    )
    other_attendees = text("Attendees by name and role", help_text="One a line", rows=4)
    summary = text("Discussion and decisions", rows=6)
    outcome = text("Outcome", help_text="Leave empty for a meeting that has not taken place yet")

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attending_organisations"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["held_at"].error_messages.update(
            {
                "required": "Enter the date and time of the meeting",
                "invalid": "Enter the date and time of the meeting as a real date and time",
            }
        )


class MeetingRecordForm(VersionedForm):
    summary = text("Discussion and decisions", rows=6)
    outcome = text("Outcome", required=True, message="Record the outcome of the meeting")


class OwnerField(_UserChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} — {obj.organisation} ({obj.get_role_display()})"


class ActionForm(forms.Form):
    description = forms.CharField(
        label="Action",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What will be done, specifically",
        error_messages={"required": "Describe the action"},
    )
    owner = OwnerField(
        label="Owner",
        queryset=User.objects.none(),
        empty_label="Choose an owner",
        error_messages={
            "required": "Choose who owns the action",
            "invalid_choice": "Choose an owner from the list",
        },
    )
    due_on = date_field("Due date")

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class ActionOutcomeForm(VersionedForm):
    status = forms.ChoiceField(
        label="Is the action done?",
        choices=[
            (ActionStatus.DONE.value, "Done"),
            (ActionStatus.CANCELLED.value, "Cancelled — no longer needed"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose done or cancelled"},
    )
    outcome = text("Outcome", required=True, rows=5, message="Record what was done, or why it was cancelled")


class RecipientField(_OrganisationChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ReferralForm(forms.Form):
    referred_to = RecipientField(
        label="Refer to (local authority early help)",
        queryset=Organisation.objects.none(),
        empty_label="Choose a local authority",
        error_messages={
            "required": "Choose the local authority to refer to",
            "invalid_choice": "Choose a local authority from the list",
        },
    )
    reason = text(
        "Why early help is needed",
        required=True,
        help_text="What the family and child need; what is already known from the episode",
        rows=6,
        message="Say why early help is needed",
    )

    def __init__(self, *args: Any, recipients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referred_to"].queryset = recipients  # type: ignore[attr-defined]


class ReferralStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="New status",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the new status"},
    )
    notes = text("Notes", help_text="Required when declining: why", rows=3)

    def __init__(self, *args: Any, statuses: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status_field: forms.ChoiceField = self.fields["status"]  # type: ignore[assignment]
        status_field.choices = [(s, ReferralStatus(s).label) for s in statuses]


class DistrictField(_DistrictChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class InitiativeForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the initiative's name"}
    )
    provider = RecipientField(
        label="Provider organisation",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Not an organisation on Homeward",
        help_text="Or enter the provider's name below",
    )
    provider_name = forms.CharField(label="Provider name", max_length=200, required=False)
    district = DistrictField(
        label="District", queryset=District.objects.none(), required=False, empty_label="Force-wide"
    )
    amount = forms.DecimalField(
        label="Amount (£)",
        max_digits=12,
        decimal_places=2,
        min_value=0,
        error_messages={
            "required": "Enter the amount in pounds",
            "invalid": "Enter the amount in pounds, for example 12500 or 12500.00",
            "min_value": "Enter an amount of £0 or more",
            "max_digits": "Enter an amount under £10,000,000",
            "max_decimal_places": "Enter pounds and pence, with at most 2 decimal places",
        },
    )
    starts_on = date_field("Start date")
    ends_on = date_field("End date", required=False, help_text="Leave empty if open-ended")
    aims = text("Aims", required=True, rows=5, message="Describe the initiative's aims")
    outcome_notes = text("Outcome notes", rows=5)

    def __init__(self, *args: Any, providers: Any, districts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers  # type: ignore[attr-defined]
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]


class InitiativeEditForm(VersionedForm, InitiativeForm):
    pass


class InitiativeFilterForm(forms.Form):
    district = DistrictField(
        label="District", queryset=District.objects.none(), required=False, empty_label="All"
    )
    active_on = date_field(
        "Active on", required=False, help_text="Initiatives running on this date", what="date"
    )

    def __init__(self, *args: Any, districts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
