"""Sign-in pages: password, then the second factor (or enrolling one on first sign-in), and step-up.

The flow and its rules are described in docs/authentication.md; the session stamps are in
homeward.identity.signin, the lockout in homeward.identity.lockout, the factor in homeward.identity.mfa.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, overload
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_totp.models import TOTPDevice

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.identity import lockout, mfa
from homeward.identity.middleware import MFA_EXEMPT
from homeward.identity.models import User
from homeward.identity.signin import (
    session_mark_password,
    session_mark_reauthenticated,
    session_mark_second_factor,
    session_recently_authenticated,
)

V = TypeVar("V", bound=Callable[..., Any])


def second_factor_exempt(view: V) -> V:
    """Mark a view a password-only session may reach (homeward.identity.middleware reads the mark)."""
    setattr(view, MFA_EXEMPT, True)
    return view


def client_address(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The page to return to, from ?next= or the form, if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or reverse("home")


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}" if next_url else reverse(url_name)


def second_factor_url(user: User, next_url: str = "") -> str:
    """Where a password-only session goes: the code page, or enrolment if there is no device yet."""
    name = "mfa_verify" if mfa.totp_device_confirmed(user) is not None else "mfa_enrol"
    return _with_next(name, next_url)


def _account_named(username: str) -> User | None:
    model = get_user_model()
    try:
        user = model._default_manager.get_by_natural_key(username)
    except model.DoesNotExist:
        return None
    assert isinstance(user, User)
    return user


# --- Step 1: password ------------------------------------------------------------------------------


class SignInForm(AuthenticationForm):
    """Django's sign-in form with the lockout in front and one message for every kind of failure."""

    error_messages = {
        "invalid_login": lockout.FAILED_MESSAGE,
        "inactive": lockout.FAILED_MESSAGE,
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        assert self.request is not None
        address = client_address(self.request)
        if lockout.sign_in_locked(username=username, address=address):
            lockout.sign_in_refused_while_locked(user=_account_named(username))
            raise ValidationError(lockout.locked_message(), code="locked")
        # The backend hashes a dummy password for unknown usernames, so both take as long.
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            outcome = lockout.sign_in_failed(
                username=username, address=address, user=_account_named(username), stage="password"
            )
            if outcome.locked:
                raise ValidationError(lockout.locked_message(), code="locked")
            raise ValidationError(lockout.FAILED_MESSAGE, code="invalid_login")
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class SignInView(LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        auth_login(self.request, user)
        session_mark_password(self.request.session)
        audit_record(
            actor=user,
            operation=Operation.AUTH,
            event_type="sign_in.password_accepted",
            object_type="user",
            object_ids=[user.pk],
        )
        assert isinstance(user, User)
        return HttpResponseRedirect(second_factor_url(user, self.get_redirect_url()))


# --- Step 2: the second factor ---------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )


def _second_factor_failed(request: HttpRequest, user: User, form: forms.Form, stage: str) -> None:
    outcome = lockout.sign_in_failed(
        username=user.get_username(), address=client_address(request), user=user, stage=stage
    )
    form.add_error("code", lockout.locked_message() if outcome.locked else "The code is not right")


def _locked(request: HttpRequest, user: User) -> bool:
    return lockout.sign_in_locked(username=user.get_username(), address=client_address(request))


@second_factor_exempt
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator app, or a backup code."""
    user = request.user
    assert isinstance(user, User)
    next_url = safe_next(request)
    if mfa.totp_device_confirmed(user) is None:
        return redirect(_with_next("mfa_enrol", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _locked(request, user):
            lockout.sign_in_refused_while_locked(user=user)
            form.add_error("code", lockout.locked_message())
        else:
            kind = mfa.second_factor_check(user=user, code=form.cleaned_data["code"])
            if kind:
                return _signed_in(request, user, kind, next_url)
            _second_factor_failed(request, user, form, "second factor")
    return render(
        request,
        "registration/mfa_verify.html",
        {"form": form, "next": next_url, "backup_codes_left": mfa.backup_codes_left(user)},
    )


def _signed_in(request: HttpRequest, user: User, kind: str, next_url: str) -> HttpResponse:
    # A new session key once fully signed in, so a key seen before the second step is worthless.
    request.session.cycle_key()
    session_mark_second_factor(request.session)
    lockout.sign_in_succeeded_reset(username=user.get_username())
    audit_record(
        actor=user,
        operation=Operation.AUTH,
        event_type="sign_in.succeeded",
        object_type="user",
        object_ids=[user.pk],
        reason="backup code" if kind == "backup" else "authenticator app",
    )
    return HttpResponseRedirect(next_url)


@second_factor_exempt
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@login_required
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in: set up an authenticator app, confirm it with a code, then see the backup codes once."""
    user = request.user
    assert isinstance(user, User)
    next_url = safe_next(request)
    if mfa.totp_device_confirmed(user) is not None:
        return redirect(_with_next("mfa_verify", next_url))
    device = mfa.totp_device_pending(user)
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = "The 6-digit code your authenticator app shows for Homeward"
    if request.method == "POST" and form.is_valid():
        if _locked(request, user):
            lockout.sign_in_refused_while_locked(user=user)
            form.add_error("code", lockout.locked_message())
        else:
            codes = mfa.totp_enrol_confirm(actor=user, device=device, code=form.cleaned_data["code"])
            if codes is not None:
                _signed_in(request, user, "totp", next_url)
                response = render(
                    request, "registration/mfa_backup_codes.html", {"codes": codes, "next": next_url}
                )
                response["Cache-Control"] = "no-store"
                return response
            _second_factor_failed(request, user, form, "enrolment code")
    return render(
        request,
        "registration/mfa_enrol.html",
        {
            "form": form,
            "next": next_url,
            "secret": mfa.totp_secret_grouped(device),
            "qr_svg": mfa.totp_qr_svg(device),
        },
    )


# --- Step-up re-authentication ---------------------------------------------------------------------


class ReauthenticateForm(forms.Form):
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    code = CodeForm.base_fields["code"]


@sensitive_post_parameters("password", "code")
@csrf_protect
@never_cache
@login_required
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """Prove it is still you (password and code) before an export, disclosure, erasure or role change."""
    user = request.user
    assert isinstance(user, User)
    next_url = safe_next(request)
    form = ReauthenticateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _locked(request, user):
            lockout.sign_in_refused_while_locked(user=user)
            form.add_error(None, lockout.locked_message())
        else:
            password_ok = user.check_password(form.cleaned_data["password"])
            # Checked only after the password, so a wrong password does not spend a backup code.
            kind = mfa.second_factor_check(user=user, code=form.cleaned_data["code"]) if password_ok else ""
            if kind:
                session_mark_reauthenticated(request.session)
                audit_record(
                    actor=user,
                    operation=Operation.AUTH,
                    event_type="session.reauthenticated",
                    object_type="user",
                    object_ids=[user.pk],
                )
                return HttpResponseRedirect(next_url)
            outcome = lockout.sign_in_failed(
                username=user.get_username(),
                address=client_address(request),
                user=user,
                stage="step-up",
            )
            form.add_error(None, lockout.locked_message() if outcome.locked else lockout.FAILED_MESSAGE)
    return render(
        request,
        "registration/reauthenticate.html",
        {"form": form, "next": next_url, "step_up_minutes": settings.HOMEWARD_STEP_UP_MINUTES},
    )


@overload
def require_recent_authentication(view: V, *, when: Callable[[HttpRequest], bool] | None = None) -> V: ...


@overload
def require_recent_authentication(
    view: None = None, *, when: Callable[[HttpRequest], bool] | None = None
) -> Callable[[V], V]: ...


def require_recent_authentication(
    view: V | None = None, *, when: Callable[[HttpRequest], bool] | None = None
) -> V | Callable[[V], V]:
    """Step-up (P9, AUTH-5): the wrapped view runs only if password and code were proved within
    HOMEWARD_STEP_UP_MINUTES; otherwise the person is sent to confirm them and brought back.

    `when` limits it to some requests of a view, e.g. a report page whose ?format= makes it a download.
    Use it on exports and downloads, disclosure to another organisation, erasure, and role changes.
    """

    def decorator(inner: V) -> V:
        @wraps(inner)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            needed = when is None or when(request)
            if (
                needed
                and request.user.is_authenticated
                and not session_recently_authenticated(request.session)
            ):
                # A POST's body cannot be carried through the detour: the person submits it again.
                back = request.get_full_path() if request.method == "GET" else request.path
                return redirect(_with_next("reauthenticate", back))
            return inner(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    if view is not None:
        return decorator(view)
    return decorator


def asks_for_download(request: HttpRequest) -> bool:
    """A report page asked for as a file (?format=csv or xlsx): an export, so it needs step-up."""
    return bool(request.GET.get("format"))


# --- The person's own sign-in settings -------------------------------------------------------------
# Changing the password or the second factor needs step-up (P9) and signs out every other session (P10).

PASSWORD_EXPIRY_EXEMPT = "homeward_password_expiry_exempt"  # noqa: S105 (an attribute name)


def password_expiry_exempt(view: V) -> V:
    """Mark a view a person whose password is past its maximum age may still reach."""
    setattr(view, PASSWORD_EXPIRY_EXEMPT, True)
    return view


def password_expired(user: User) -> bool:
    """P4: only when HOMEWARD_PASSWORD_MAX_AGE_DAYS is set (it is off by default)."""
    days = settings.HOMEWARD_PASSWORD_MAX_AGE_DAYS
    if not days:
        return False
    from django.utils import timezone

    changed = user.password_changed_at or user.date_joined
    return timezone.now() - changed > dt.timedelta(days=days)


def _sign_out_other_sessions(request: HttpRequest, user: User, why: str) -> None:
    from homeward.identity.signals import user_sessions_end

    ended = user_sessions_end(user.pk, keep=request.session.session_key)
    audit_record(
        actor=user,
        operation=Operation.AUTH,
        event_type="session.others_ended",
        object_type="user",
        object_ids=[user.pk],
        reason=f"{why}: {ended} other session(s) ended",
    )


@login_required
def account_security(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    device = mfa.totp_device_confirmed(user)
    return render(
        request,
        "identity/account_security.html",
        {
            "device": device,
            "backup_codes_left": mfa.backup_codes_left(user),
            "password_expired": password_expired(user),
        },
    )


@password_expiry_exempt
@sensitive_post_parameters("new_password1", "new_password2")
@csrf_protect
@never_cache
@login_required
@require_recent_authentication
def password_change(request: HttpRequest) -> HttpResponse:
    """A new password (the current one was just proved by step-up); other sessions are signed out."""
    from django.contrib.auth import update_session_auth_hash
    from django.contrib.auth.forms import SetPasswordForm

    user = request.user
    assert isinstance(user, User)
    form = SetPasswordForm(user, request.POST or None)
    form.fields["new_password1"].help_text = (
        f"At least {settings.HOMEWARD_PASSWORD_MIN_LENGTH} characters. A few unrelated words make a good "
        "password. No need for symbols or numbers."
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save(commit=False)
            # Only the password's columns: a full save would write back this request's copy of the role
            # and is_active over an administrator's change made meanwhile (identity.accounts).
            user.save(update_fields=["password", "password_changed_at"])
            audit_record(
                actor=user,
                operation=Operation.AUTH,
                event_type="password.changed",
                object_type="user",
                object_ids=[user.pk],
                changed_fields=["password"],
            )
        update_session_auth_hash(request, user)
        _sign_out_other_sessions(request, user, "password changed")
        messages.success(request, "Your password has been changed. Any other sessions were signed out.")
        return redirect("account_security")
    return render(
        request,
        "identity/password_change.html",
        {"form": form, "expired": password_expired(user)},
    )


@csrf_protect
@never_cache
@login_required
@require_recent_authentication
def backup_codes_renew(request: HttpRequest) -> HttpResponse:
    """New backup codes replace the old ones (all of them stop working), shown once."""
    user = request.user
    assert isinstance(user, User)
    if request.method != "POST":
        return render(
            request,
            "identity/account_confirm.html",
            {
                "title": "Get new backup codes",
                "body": "Your current backup codes will stop working, and you will be shown ten new ones. "
                "Any other sessions you have will be signed out.",
                "button": "Get new backup codes",
            },
        )
    codes = mfa.backup_codes_issue(actor=user)
    _sign_out_other_sessions(request, user, "new backup codes")
    response = render(
        request,
        "registration/mfa_backup_codes.html",
        {"codes": codes, "next": reverse("account_security"), "renewed": True},
    )
    response["Cache-Control"] = "no-store"
    return response


@csrf_protect
@never_cache
@login_required
@require_recent_authentication
def authenticator_replace(request: HttpRequest) -> HttpResponse:
    """Move to a new phone: the old app stops working now, and the new one is set up at once."""
    user = request.user
    assert isinstance(user, User)
    if request.method != "POST":
        return render(
            request,
            "identity/account_confirm.html",
            {
                "title": "Set up a new authenticator app",
                "body": "The app you use now will stop working for Homeward straight away, and you will "
                "set up the new one on the next page (have your new phone ready). You will get new backup "
                "codes. Any other sessions you have will be signed out.",
                "button": "Continue",
            },
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        audit_record(
            actor=user,
            operation=Operation.AUTH,
            event_type="mfa.removed",
            object_type="user",
            object_ids=[user.pk],
        )
    _sign_out_other_sessions(request, user, "authenticator replaced")
    return redirect(_with_next("mfa_enrol", reverse("account_security")))
