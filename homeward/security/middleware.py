"""Headers Django 5.2's SecurityMiddleware does not send (security baseline P16, P18).

- Content-Security-Policy: Django 5.2 has none built in. Homeward serves no inline script, no inline
  style and no third-party resource (GOV.UK Frontend, MoJ Frontend and htmx are static files), so one
  fixed policy needs neither nonces nor hashes; homeward/security/tests/test_templates.py keeps it so.
- Permissions-Policy: the browser features a case system never uses are switched off.
- Cross-Origin-Resource-Policy: our responses (photos above all) cannot be embedded by other sites.
- Cache-Control: no-store on every download (Content-Disposition: attachment), signed in or not. Pages
  and API responses for a signed-in user get it from homeward.identity.middleware (P18).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp: str = settings.HOMEWARD_CONTENT_SECURITY_POLICY
        self.permissions: str = settings.HOMEWARD_PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", self.permissions)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if response.headers.get("Content-Disposition", "").startswith("attachment"):
            response["Cache-Control"] = "no-store"
        return response
