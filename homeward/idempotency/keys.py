"""`Idempotency-Key` on every API write (POST/PUT/PATCH/DELETE under /api/v1/): security baseline REL-2.

A client that is unsure whether a write went through (timeout, dropped connection) sends it again with the
same key and gets the first response back, with `Idempotent-Replayed: true`, instead of a second record.

- The key is 1–200 visible ASCII characters; anything else is refused (422, `loc` ["header", …]).
- Keys are per user. A key is kept 24 h (setting HOMEWARD_IDEMPOTENCY_TTL_HOURS); after that it is new.
- Before the endpoint runs, the key is **claimed**: a row (user, key, method, path, SHA-256 of the body)
  with no response yet, committed on its own, so that every other connection sees it at once. The write
  and the stored response then commit together in a second transaction. Only successful (2xx) responses
  are stored; after any other outcome the claim is given back (a refused request wrote nothing, so the
  client may correct it and send it again with the same key).
- The same key with another method, path or body → 422 `idempotency_key_reused` at ["header", …].
- The same key while the first request is still in flight (a concurrent replay) → 409 at once, with
  `Retry-After`, never a wait and never a second write. Two simultaneous *first* requests race to claim:
  the unique (user, key) constraint lets one in, and the other gets the 409.
- A claim whose request died with its process (nothing answers it any more) is abandoned after
  HOMEWARD_IDEMPOTENCY_CLAIM_SECONDS (120 s, twice the web server's request timeout): the next request
  with the key takes it over. Should the first request somehow still finish, it finds its claim gone,
  rolls its write back and answers 409, so the write happens once.

Installed on the NinjaAPI by `install(api)`: a "view" decorator around the whole operation, and an
"operation" decorator (after authentication and body parsing, before the endpoint body) that looks the key
up, claims it and opens the write transaction, which the view decorator closes once the response is
stored. See docs/decisions/0004-idempotency.md.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Callable
from contextlib import ExitStack
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
_WRITE_TRANSACTION = "_homeward_idempotency_write_transaction"
# Sent with the 409 for a key in flight: most writes take well under a second.
RETRY_AFTER_SECONDS = 1

# As the OpenAPI spec documents it: every write operation takes it.
HEADER_PARAMETER: dict[str, Any] = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": (
        "Optional. Send the same key again (same body, same path) to get the first response back, marked "
        "`Idempotent-Replayed: true`, with nothing written twice. Per user; kept 24 hours. The same key "
        "with a different body or path is refused (422 `idempotency_key_reused`); sent again while the first "
        "request with it is still running, it gets 409 with `Retry-After`."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": KEY_PATTERN},
}


def ttl() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "HOMEWARD_IDEMPOTENCY_TTL_HOURS", 24))


def claim_lifetime() -> dt.timedelta:
    """How long a claim without a response is trusted to belong to a request still running.

    Longer than any request can run: `homeward serve` gives gunicorn a 60-second timeout, after which the
    worker is killed and its transaction rolled back by the database.
    """
    return dt.timedelta(seconds=settings.HOMEWARD_IDEMPOTENCY_CLAIM_SECONDS)


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


def _in_progress(record: IdempotencyRecord | None) -> HttpResponse:
    """409 in the ConflictOut shape, with Retry-After: the first request with this key has not answered yet.

    The code `idempotency_key_in_use` tells a client this from an edit conflict: it should wait and send
    the same request again, not re-read and merge.
    """
    since = ""
    if record is not None:
        seconds = max(0, int((timezone.now() - record.created_at).total_seconds()))
        since = f" (started {seconds} s ago)"
    detail = (
        f"A request with this {HEADER} is still in progress{since}; nothing was done for this one. "
        f"Send it again after {RETRY_AFTER_SECONDS} s to get the first request's response."
    )
    response = _json({"code": "idempotency_key_in_use", "detail": detail, "changes": []}, 409)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _claim_lost() -> HttpResponse:
    """409 for a request whose claim was given up as abandoned and taken by a later one: its write is undone."""
    detail = (
        f"This request took so long that its {HEADER} was handed to a later request with the same key; "
        "its write was undone. Send it again to get that request's response."
    )
    response = _json({"code": "idempotency_key_in_use", "detail": detail, "changes": []}, 409)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


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
        return _in_progress(record)
    response = HttpResponse(record.body, status=record.status, content_type=record.content_type)
    response[REPLAYED_HEADER] = "true"
    return response


def _live(user: Any, key: str) -> IdempotencyRecord | None:
    """The key's record, if any; an expired one, or an abandoned claim, is deleted, so the key counts as new."""
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is None:
        return None
    now = timezone.now()
    expired = record.created_at < now - ttl()
    abandoned = record.status is None and record.created_at < now - claim_lifetime()
    if expired or abandoned:
        # Only the row just read: if another request replaced it meanwhile, that one stands.
        IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).delete()
        return None
    return record


def _give_back(record: IdempotencyRecord) -> None:
    """Release a claim that got no response to store, so the key can be used again."""
    IdempotencyRecord.objects.filter(pk=record.pk, status__isnull=True).delete()


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
        write_transaction: ExitStack | None = getattr(request, _WRITE_TRANSACTION, None)
        if write_transaction is None:  # pragma: no cover - install() adds both decorators
            raise RuntimeError("claim_key runs only inside store_response")
        try:
            # Committed on its own, before the endpoint runs: another request with the key sees it at once.
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
            # Another request with this key claimed it first.
            existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
            return _in_progress(None) if existing is None else _answer(existing, request)
        setattr(request, _CLAIM, record)
        # The write and its stored response commit together; store_response closes this transaction.
        write_transaction.enter_context(transaction.atomic())
        return view_func(request, *args, **kwargs)

    return wrapper


def store_response(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """View decorator: close the write transaction `claim_key` opened, with the response stored in it."""

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if HEADER not in request.headers or request.method not in WRITE_METHODS:
            return run(request, *args, **kwargs)
        stored = False
        try:
            with ExitStack() as write_transaction:
                setattr(request, _WRITE_TRANSACTION, write_transaction)
                response = run(request, *args, **kwargs)
                record: IdempotencyRecord | None = getattr(request, _CLAIM, None)
                if (
                    record is not None
                    and 200 <= response.status_code < 300
                    and isinstance(response, HttpResponse)
                ):
                    # Fenced on the claim's own row: if it was taken over as abandoned, nothing matches.
                    stored = (
                        IdempotencyRecord.objects.filter(pk=record.pk, status__isnull=True).update(
                            status=response.status_code,
                            content_type=response.get("Content-Type", ""),
                            body=response.content.decode(),
                        )
                        == 1
                    )
                    if not stored:
                        transaction.set_rollback(True)  # the later request's write stands, not this one
                        response = _claim_lost()
        finally:
            record = getattr(request, _CLAIM, None)
            if record is not None and not stored:
                _give_back(record)
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
