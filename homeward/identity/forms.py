"""Forms of the account administration pages (homeward.identity.account_admin).

Forms parse and limit input; the rules — which roles an organisation may give, the password policy, not
changing oneself — are the actions' (homeward.identity.accounts), so a refusal reads the same everywhere.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from homeward.identity.accounts import NAME_MAX, USERNAME_MAX
from homeward.identity.roles import Role, roles_for_organisation_kind


class RoleChoiceField(forms.ChoiceField):
    """Offers the roles of the organisation's kind, but lets any known role through to the action, whose
    refusal says which role is not allowed in which kind of organisation (instead of "not a valid
    choice")."""

    def valid_value(self, value: Any) -> bool:
        return value in Role.values


def _role_field(organisation_kind: str, label: str) -> RoleChoiceField:
    choices = [("", "Choose a role")] + [
        (role, Role(role).label) for role in roles_for_organisation_kind(organisation_kind)
    ]
    return RoleChoiceField(
        label=label,
        choices=choices,
        error_messages={"required": "Choose a role", "invalid_choice": "Choose a role from the list"},
    )


class AccountCreateForm(forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=USERNAME_MAX,
        validators=[UnicodeUsernameValidator()],
        help_text="What they type to sign in: letters, digits and @ . + - _ only, for example j.smith",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    first_name = forms.CharField(label="First name", max_length=NAME_MAX)
    last_name = forms.CharField(label="Last name", max_length=NAME_MAX)
    email = forms.EmailField(
        label="Work email address",
        help_text="Homeward writes here if someone keeps failing to sign in as them",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Initial password",
        strip=False,
        help_text="At least 12 characters; not like their name, not a common password. Give it to them "
        "by phone or in person — never in the same message as their username.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label="Initial password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, organisation_kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"] = _role_field(organisation_kind, "Role")
        # The role before the password, as the page reads.
        self.order_fields(["username", "first_name", "last_name", "email", "role"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", "The two passwords are not the same")
        return data


class VersionedForm(forms.Form):
    """The account's version as the administrator saw it (docs/concurrency.md)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RoleChangeForm(VersionedForm):
    reason = forms.CharField(
        label="Why",
        required=False,
        max_length=300,
        help_text="For example: promoted to sergeant, ticket 1234. It goes in the audit log.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, organisation_kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"] = _role_field(organisation_kind, "New role")
        self.order_fields(["role", "reason", "version"])


class AccountChangeForm(VersionedForm):
    """Deactivate, reactivate or reset the authenticator: a reason, and the version."""

    reason = forms.CharField(
        label="Why",
        max_length=300,
        help_text="It goes in the audit log.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, reason_required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
