from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from homeward.audit.log import RequestContext, audit_record, current_request
from homeward.audit.models import Operation
from homeward.identity.signin import (
    LAST_SEEN_AT,
    now_seconds,
    session_expiry_reason,
    session_second_factor_verified,
)

V = TypeVar("V", bound=Callable[..., Any])
MFA_EXEMPT = "homeward_second_factor_exempt"


class RequestContextMiddleware:
    """Carries the request id, address and browser into audit events, and stops caching of pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(
            RequestContext(
                request_id=uuid.uuid4().hex,
                ip=request.META.get("REMOTE_ADDR"),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        )
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Personal data must not linger in browser or proxy caches (security baseline P18).
            response["Cache-Control"] = "no-store"
        return response


# Views whose requests the browser makes by itself (polling): they do not count as activity, so a
# dashboard left open still reaches the idle limit.
PASSIVE = "homeward_passive_request"


def passive_request(view: V) -> V:
    """Mark a view that is polled automatically: its requests do not keep the session alive."""
    setattr(view, PASSIVE, True)
    return view


class SignInPolicyMiddleware:
    """Session limits and the second factor, for every request that carries a signed-in session.

    - A session past its idle (P7) or absolute (P8) limit is ended: pages go to the sign-in page,
      the API answers as for anyone signed out (401).
    - A session whose second factor is not verified (P1) reaches only the views marked
      second-factor-exempt (the code and enrolment pages, sign-in and sign-out); other pages redirect
      to the code page, and the API treats the session as signed out (401). API tokens are a separate
      credential, checked by the API itself, and are unaffected.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        session = request.session
        now = now_seconds()
        reason = session_expiry_reason(session, now=now)
        if reason:
            audit_record(
                actor=user,
                operation=Operation.AUTH,
                event_type="session.expired",
                object_type="user",
                object_ids=[user.pk],
                reason=reason,
            )
            session.flush()
            request.user = AnonymousUser()
            if not _is_api(request):
                return _to_page(request, redirect_to_login(request.get_full_path()).url)
            return self.get_response(request)
        verified = session_second_factor_verified(session)
        if not verified and _is_api(request):
            request.user = AnonymousUser()
            return self.get_response(request)
        response = self.get_response(request)
        if (
            verified
            and not getattr(request, PASSIVE, False)
            and request.user.is_authenticated
            and session.session_key is not None
            and session.get(LAST_SEEN_AT) is not None
        ):
            session[LAST_SEEN_AT] = now
        return response

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if getattr(view_func, PASSIVE, False):
            setattr(request, PASSIVE, True)
        user = request.user
        if not user.is_authenticated or _is_api(request) or getattr(view_func, MFA_EXEMPT, False):
            return None
        from homeward.identity.auth_views import (
            PASSWORD_EXPIRY_EXEMPT,
            password_expired,
            second_factor_url,
        )

        if not session_second_factor_verified(request.session):
            return _to_page(request, second_factor_url(user, request.get_full_path()))
        if not getattr(view_func, PASSWORD_EXPIRY_EXEMPT, False) and password_expired(user):
            # P4, only where a force configures a maximum age: change it before anything else.
            return _to_page(request, reverse("password_change"))
        return None


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _to_page(request: HttpRequest, url: str) -> HttpResponse:
    """Redirect; for an htmx request, tell htmx to load the page whole instead of swapping it in."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)
