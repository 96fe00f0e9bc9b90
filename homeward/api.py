"""The JSON API at /api/v1/: the NinjaAPI instance, how callers sign in, and how refusals are reported.

Endpoints live beside their app (people/api.py, episodes/api.py) and are thin: a strict pydantic schema
parses the body, the same action or selector the HTML pages use does the work, a schema serialises.

Signing in: `Authorization: Bearer <token>` (scripts and partner systems; see
homeward.identity.api_tokens), or the browser session, which must then send the CSRF token on writes.

Refusals, one status each, with bodies described in the OpenAPI spec (homeward.api_base):
401 not signed in · 403 the role may not (or CSRF failed) · 404 not there *or not yours* ·
409 edit conflict / illegal transition · 422 input refused, by the schema or by a rule.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import register_converter
from django.urls.converters import PathConverter
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from homeward.episodes.api import router as episodes_router
from homeward.errors import DomainError, EditConflict, IllegalTransition, InvalidInput, NotAllowed
from homeward.idempotency.keys import install as install_idempotency_keys
from homeward.identity.api_tokens import api_token_user
from homeward.identity.models import User
from homeward.people.api import router as people_router
from homeward.security.row_security import act_for


class TokenAuth(HttpBearer):
    """`Authorization: Bearer hw_…`: an unrevoked token of an active user."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_user(token)
        if user is not None:
            # So middleware (no-store caching, request context) treats the request as signed in.
            request.user = user
            # The middleware ran before the token was read: narrow the database to this user now.
            act_for(user)
        return user


class SessionCsrfAuth(SessionAuth):
    """Django's session, as `django_auth`, with CSRF enforced on writes.

    Unlike `django_auth`, an anonymous request is refused as unauthenticated (401) rather than as a
    CSRF failure (403): CSRF protects a signed-in session, and a caller with none has nothing to forge.
    """

    def __call__(self, request: HttpRequest) -> Any | None:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


api = NinjaAPI(
    title="Homeward API",
    version="1",
    description=__doc__ or "",
    urls_namespace="api-v1",
    auth=[TokenAuth(), SessionCsrfAuth()],
    # The interactive docs page would load Swagger UI from a CDN; the spec itself is served.
    docs_url=None,
)
# `Idempotency-Key` on every write (docs/decisions/0004-idempotency.md).
install_idempotency_keys(api)


def _detail(message: str) -> dict[str, str]:
    return {"detail": message}


def _loc(field: str | None) -> list[str]:
    """Where a rule's complaint points, in the same form as pydantic's: body → payload → field path."""
    return ["body", "payload", *field.split(".")] if field else ["body", "payload"]


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, _detail("Sign in, or send a valid API token"), status=401)
    response["WWW-Authenticate"] = 'Bearer realm="homeward"'
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # One body for "missing" and "not yours", so ids cannot be probed.
    return api.create_response(request, _detail("Not found"), status=404)


@api.exception_handler(NotAllowed)
def _not_allowed(request: HttpRequest, exc: NotAllowed) -> HttpResponse:
    return api.create_response(request, _detail(exc.message), status=403)


@api.exception_handler(InvalidInput)
def _invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    issues = [{"type": "invalid_input", "loc": _loc(field), "msg": msg} for field, msg in exc.errors.items()]
    return api.create_response(request, {"detail": issues}, status=422)


@api.exception_handler(IllegalTransition)
def _illegal_transition(request: HttpRequest, exc: IllegalTransition) -> HttpResponse:
    return api.create_response(
        request, {"code": "illegal_transition", "detail": exc.message, "changes": []}, status=409
    )


@api.exception_handler(EditConflict)
def _edit_conflict(request: HttpRequest, exc: EditConflict) -> HttpResponse:
    body = {
        "code": "edit_conflict",
        "detail": exc.message,
        "current_version": exc.current_version,
        "changes": exc.changes,
    }
    return api.create_response(request, body, status=409)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """Any other refusal by a rule: reported as input the rules did not accept."""
    issue = {"type": "invalid_input", "loc": _loc(exc.field), "msg": exc.message}
    return api.create_response(request, {"detail": [issue]}, status=422)


class _AnyPathConverter(PathConverter):
    """Like `path`, but across line breaks too: Django's `.+` stops at a newline (found by schemathesis),
    which let `/api/v1/people/a%0Ab` fall through to the HTML 404 page."""

    regex = r"[\s\S]+"


register_converter(_AnyPathConverter, "anypath")

# Unknown URLs under /api/v1/ (including ids that are not numbers) get a JSON 404, not an HTML page.
# Registered last, so that it only matches what no other route does.
_fallback = Router()


@_fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{anypath:rest}", auth=None, include_in_schema=False
)
def _no_such_route(request: HttpRequest, rest: str) -> None:
    raise Http404(rest)


api.add_router("/people", people_router)
api.add_router("/episodes", episodes_router)
api.add_router("", _fallback)
