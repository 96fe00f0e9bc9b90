from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from homeward.audit.log import RequestContext, current_request


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
