"""`Idempotency-Key` on every API write (POST/PUT/PATCH/DELETE under /api/v1/): security baseline REL-2.

A client that is unsure whether a write went through (timeout, dropped connection) sends it again with the
same key and gets the first response back, with `Idempotent-Replayed: true`, instead of a second record.

- The key is 1–200 visible ASCII characters; anything else is refused (422, `loc` ["header", …]).
- Keys are per user. A key is kept 24 h (setting HOMEWARD_IDEMPOTENCY_TTL_HOURS); after that it is new.
- The key, user, method, path, a SHA-256 of the body and the response are stored in the same
  transaction as the write. Only successful (2xx) responses are stored: a refused request wrote nothing,
  so the client may correct it and send it again with the same key.
- The same key with another method, path or body → 422 `idempotency_key_reused` at ["header", …].
- Two simultaneous first requests: the (user, key) unique constraint lets one insert; the other waits
  (PostgreSQL) or fails to insert, then replays the stored response, or gets 409 `edit_conflict`
  ("still in progress") if there is none yet.

Installed on the NinjaAPI by `install(api)`: an "operation" decorator (after authentication, before the
endpoint body) looks the key up and claims it; a "view" decorator wraps the whole operation in one
transaction and stores the response.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone

from homeward.idempotency.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY_PATTERN = r"^[\x21-\x7e]{1,200}$"
_KEY = re.compile(KEY_PATTERN)
_CLAIM = "_homeward_idempotency_claim"

# As the OpenAPI spec documents it: every write operation takes it.
HEADER_PARAMETER: dict[str, Any] = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": (
        "Optional. Send the same key again (same body, same path) to get the first response back, marked "
        "`Idempotent-Replayed: true`, with nothing written twice. Per user; kept 24 hours. The same key "
        "with a different body or path is refused (422 `idempotency_key_reused`)."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": KEY_PATTERN},
}


def ttl() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "HOMEWARD_IDEMPOTENCY_TTL_HOURS", 24))


def prune_idempotency_keys(*, now: dt.datetime | None = None) -> int:
    """Delete keys older than the TTL (called by the clocks sweep). Returns how many went."""
    cutoff = (now or timezone.now()) - ttl()
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _json(body: Any, status: int) -> HttpResponse:
    return HttpResponse(json.dumps(body), status=status, content_type="application/json; charset=utf-8")


def _refused(issue_type: str, message: str) -> HttpResponse:
    """422 in the API's usual shape, pointing at the header."""
    issue = {"type": issue_type, "loc": ["header", HEADER], "msg": message}
    return _json({"detail": [issue]}, 422)


def _malformed() -> HttpResponse:
    return _refused(
        "invalid_header",
        f"{HEADER} must be 1 to 200 visible ASCII characters (no spaces or control characters)",
    )


def _in_progress() -> HttpResponse:
    """409 in the ConflictOut shape: like an edit conflict, someone else's save (with this key) is under way."""
    detail = f"A request with this {HEADER} is still in progress; send it again shortly to get its response"
    return _json({"code": "edit_conflict", "detail": detail, "changes": []}, 409)


def _fingerprint(request: HttpRequest) -> tuple[str, str, str]:
    return request.method or "", request.path, hashlib.sha256(request.body).hexdigest()


def _answer(record: IdempotencyRecord, request: HttpRequest) -> HttpResponse:
    """What a request gets when its key is already taken: the stored response, or a 409."""
    if (record.method, record.path, record.body_sha256) != _fingerprint(request):
        return _refused(
            "idempotency_key_reused",
            f"This {HEADER} was already used for a different request (method, path or body); "
            "use a new key for a new request",
        )
    if record.status is None:
        return _in_progress()
    response = HttpResponse(record.body, status=record.status, content_type=record.content_type)
    response[REPLAYED_HEADER] = "true"
    return response


def _live(user: Any, key: str) -> IdempotencyRecord | None:
    """The key's record, if any; an expired one is deleted, so the key counts as new."""
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is not None and record.created_at < timezone.now() - ttl():
        record.delete()
        return None
    return record


def claim_key(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """Operation decorator: runs after authentication, with `request.auth` the caller."""

    @functools.wraps(view_func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        user = getattr(request, "auth", None)  # None: an operation without authentication (the JSON 404)
        if key is None or request.method not in WRITE_METHODS or user is None:
            return view_func(request, *args, **kwargs)
        if not _KEY.match(key):
            return _malformed()
        existing = _live(user, key)
        if existing is not None:
            return _answer(existing, request)
        method, path, body_sha256 = _fingerprint(request)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user,
                    key=key,
                    method=method,
                    path=path,
                    body_sha256=body_sha256,
                    created_at=timezone.now(),
                )
        except IntegrityError:
            # Another request with this key got in first (and, on PostgreSQL, has committed by now).
            existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if existing is None:  # pragma: no cover - it rolled back meanwhile
                return _in_progress()
            return _answer(existing, request)
        setattr(request, _CLAIM, record)
        return view_func(request, *args, **kwargs)

    return wrapper


def store_response(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """View decorator: one transaction for the claim, the write and the stored response."""

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if HEADER not in request.headers or request.method not in WRITE_METHODS:
            return run(request, *args, **kwargs)
        with transaction.atomic():
            response = run(request, *args, **kwargs)
            record: IdempotencyRecord | None = getattr(request, _CLAIM, None)
            if record is not None:
                if 200 <= response.status_code < 300 and isinstance(response, HttpResponse):
                    record.status = response.status_code
                    record.content_type = response.get("Content-Type", "")
                    record.body = response.content.decode()
                    record.save(update_fields=["status", "content_type", "body"])
                else:
                    record.delete()
        return response

    return wrapper


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the header (and its 409/422 refusals) to every write operation of an OpenAPI schema."""
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if method.upper() not in WRITE_METHODS or not isinstance(operation, dict):
                continue
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("name") == HEADER for p in parameters):
                parameters.append(HEADER_PARAMETER)
            responses = operation.setdefault("responses", {})
            for status, ref in (("409", "ConflictOut"), ("422", "ValidationErrorOut")):
                responses.setdefault(
                    status,
                    {
                        "description": "Refused",
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
                    },
                )
    return schema


def install(api: Any) -> None:
    """Hook idempotency keys into a NinjaAPI: both decorators, and the header in its OpenAPI spec."""
    api.add_decorator(claim_key, mode="operation")
    api.add_decorator(store_response, mode="view")
    build = api.get_openapi_schema

    @functools.wraps(build)
    def get_openapi_schema(*args: Any, **kwargs: Any) -> Any:
        return document(build(*args, **kwargs))

    api.get_openapi_schema = get_openapi_schema
