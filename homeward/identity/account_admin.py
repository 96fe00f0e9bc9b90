"""Account administration pages: an organisation's administrator lists its accounts, opens one, creates
one, changes a role, deactivates, re-enables, and resets a lost authenticator (docs/authentication.md,
"Account administration"). Parse → one selector or action → render.

Only the administrator's own organisation is reachable (selectors.account_for: another organisation's
account is as missing, 404). Creating an account and every change to one ask for the password and a
code again first (step-up, P9/AUTH-5): each gives or takes away access to personal data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from homeward.identity import accounts, mfa
from homeward.identity.auth_views import require_recent_authentication
from homeward.identity.forms import AccountChangeForm, AccountCreateForm, RoleChangeForm
from homeward.identity.models import User
from homeward.identity.roles import Capability, Role
from homeward.identity.selectors import account_for, accounts_for
from homeward.web import apply_action, requires

ACCOUNTS_PER_PAGE = 50
SEARCH_MAX = 100


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _organisation_kind(actor: User) -> str:
    assert actor.organisation is not None  # MANAGE_ACCOUNTS needs an organisation (User.can)
    return actor.organisation.kind


@requires(Capability.MANAGE_ACCOUNTS)
@require_http_methods(["GET", "POST"])
def account_list(request: HttpRequest) -> HttpResponse:
    """Every account, a page at a time; or a search, sent by POST so names stay out of URLs (DEP-3),
    whose first page of matches is shown."""
    actor = _actor(request)
    search = request.POST.get("q", "").strip()[:SEARCH_MAX] if request.method == "POST" else ""
    page = Paginator(accounts_for(actor=actor, search=search), ACCOUNTS_PER_PAGE).get_page(
        None if search else request.GET.get("page")
    )
    return render(request, "identity/account_list.html", {"page": page, "search": search})


@requires(Capability.MANAGE_ACCOUNTS)
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    account = account_for(actor=actor, pk=pk)
    return render(
        request,
        "identity/account_detail.html",
        {
            "account": account,
            "is_self": account.pk == actor.pk,
            "device": mfa.totp_device_confirmed(account),
            "backup_codes_left": mfa.backup_codes_left(account),
        },
    )


@requires(Capability.MANAGE_ACCOUNTS)
@require_http_methods(["GET", "POST"])
@require_recent_authentication
def account_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = AccountCreateForm(request.POST or None, organisation_kind=_organisation_kind(actor))
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = apply_action(
            form,
            lambda: accounts.user_create(
                actor=actor,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                role=data["role"],
                password=data["password"],
            ),
            context,
        )
        if created is not None:
            messages.success(
                request,
                f"Account {created.username} created. Give them the initial password by phone or in "
                "person; they set up their authenticator app when they first sign in.",
            )
            return redirect("accounts:detail", pk=created.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "identity/account_create.html", context, status=status)


@requires(Capability.MANAGE_ACCOUNTS)
@require_http_methods(["GET", "POST"])
@require_recent_authentication
def account_role_change(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    account = account_for(actor=actor, pk=pk)
    form = RoleChangeForm(
        request.POST or None,
        organisation_kind=_organisation_kind(actor),
        initial={"version": account.version, "role": account.role},
    )
    context: dict[str, Any] = {"account": account, "form": form}
    if request.method == "POST" and form.is_valid():
        old = account.get_role_display()
        done = apply_action(
            form,
            lambda: accounts.user_role_change(
                actor=actor,
                user=account,
                role=form.cleaned_data["role"],
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            ),
            context,
        )
        if done is not None:
            new = Role(done.role).label
            messages.success(request, f"{account.display_name} is now {new} (was {old}).")
            return redirect("accounts:detail", pk=pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "identity/account_role.html", context, status=status)


@dataclass(frozen=True)
class _Change:
    """One of the confirm-and-do changes to an account: what the page says, and the action."""

    title: str
    explanation: str
    button: str
    warning: bool
    reason_required: bool
    done: str
    perform: Callable[..., Any]


DEACTIVATE = _Change(
    title="Deactivate account",
    explanation="They are signed out everywhere at once and cannot sign in again, and any API token of "
    "theirs stops working, until an administrator re-enables the account. Nothing they recorded is removed.",
    button="Deactivate account",
    warning=True,
    reason_required=True,
    done="{name}'s account is deactivated and every session of theirs has ended.",
    perform=accounts.user_deactivate,
)
REACTIVATE = _Change(
    title="Re-enable account",
    explanation="They can sign in again with their password and authenticator app. An account unused "
    "for 90 days is disabled again automatically.",
    button="Re-enable account",
    warning=False,
    reason_required=False,
    done="{name}'s account is active again.",
    perform=accounts.user_reactivate,
)
MFA_RESET = _Change(
    title="Reset authenticator",
    explanation="For a lost phone: their authenticator app and backup codes stop working and they are "
    "signed out everywhere. At their next sign-in, after their password, they set up a new app. Check "
    "that it really is them asking before you do this.",
    button="Reset authenticator",
    warning=True,
    reason_required=True,
    done="{name}'s authenticator is reset: they set up a new app at their next sign-in.",
    perform=accounts.user_mfa_reset,
)


def _account_change(request: HttpRequest, pk: int, change: _Change) -> HttpResponse:
    actor = _actor(request)
    account = account_for(actor=actor, pk=pk)
    form = AccountChangeForm(
        request.POST or None, reason_required=change.reason_required, initial={"version": account.version}
    )
    context: dict[str, Any] = {"account": account, "form": form, "change": change}
    if request.method == "POST" and form.is_valid():
        done = apply_action(
            form,
            lambda: change.perform(
                actor=actor,
                user=account,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            ),
            context,
        )
        if done is not None:
            messages.success(request, change.done.format(name=account.display_name))
            return redirect("accounts:detail", pk=pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "identity/account_change.html", context, status=status)


@requires(Capability.MANAGE_ACCOUNTS)
@require_http_methods(["GET", "POST"])
@require_recent_authentication
def account_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _account_change(request, pk, DEACTIVATE)


@requires(Capability.MANAGE_ACCOUNTS)
@require_http_methods(["GET", "POST"])
@require_recent_authentication
def account_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _account_change(request, pk, REACTIVATE)


@requires(Capability.MANAGE_ACCOUNTS)
@require_http_methods(["GET", "POST"])
@require_recent_authentication
def account_mfa_reset(request: HttpRequest, pk: int) -> HttpResponse:
    return _account_change(request, pk, MFA_RESET)


app_name = "accounts"
urlpatterns = [
    path("", account_list, name="list"),
    path("new/", account_create, name="create"),
    path("<int:pk>/", account_detail, name="detail"),
    path("<int:pk>/role/", account_role_change, name="role"),
    path("<int:pk>/deactivate/", account_deactivate, name="deactivate"),
    path("<int:pk>/reactivate/", account_reactivate, name="reactivate"),
    path("<int:pk>/reset-authenticator/", account_mfa_reset, name="mfa_reset"),
]
