"""What every JSON API router shares: the input base class, error bodies, small references, helpers.

Kept apart from homeward.api (the NinjaAPI instance) so that app routers can import it without an
import cycle: homeward.api imports the routers, and the routers import this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Schema
from pydantic import BaseModel, ConfigDict, model_validator

from homeward.errors import InvalidInput, NotAllowed
from homeward.identity.models import User
from homeward.identity.roles import Capability


def one_of(values: Iterable[str]) -> Any:
    """A Literal of these codes: pydantic rejects anything else and the OpenAPI spec lists them as an enum.

    Built from the model's choices so the API cannot drift from them. Type checkers see `str` (declare
    the alias under `if TYPE_CHECKING:`); only pydantic needs the Literal.
    """
    return Literal.__getitem__(tuple(values))


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class StrictInput(BaseModel):
    """Every request body: unknown fields are an error (422), never silently dropped or assigned.

    A NUL character anywhere is refused too (as Django's form fields do): PostgreSQL cannot store one in
    text or JSON, so it would otherwise surface as a server error (found by schemathesis).
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _refuse_nul_characters(cls, data: Any) -> Any:
        if _has_nul(data):
            raise ValueError("Text must not contain NUL (\\x00) characters")
        return data


# --- Error bodies -----------------------------------------------------------------------------------


class ErrorOut(Schema):
    """400 (body is not JSON), 401 (not signed in / bad token), 403 (role may not, or CSRF failed),
    404 (not there, or not yours: the two are indistinguishable)."""

    detail: str


class ValidationIssue(Schema):
    """One problem with the input. `loc` is the path to the field, e.g. ["body", "payload", "level"]."""

    type: str
    loc: list[str | int]
    msg: str
    ctx: dict[str, Any] | None = None


class ValidationErrorOut(Schema):
    """422: the input was refused. Same shape whether the schema or a business rule refused it."""

    detail: list[ValidationIssue]


class ChangeOut(Schema):
    version: int | None = None
    summary: str
    by: str
    at: dt.datetime


class ConflictOut(Schema):
    """409: `edit_conflict` (someone saved first: re-read, check `changes`, resubmit with
    `current_version`), `illegal_transition` (the record's state does not allow this now) or
    `idempotency_key_in_use` (a request with the same Idempotency-Key has not answered yet: wait for
    `Retry-After` and send it again, docs/decisions/0004-idempotency.md)."""

    code: Literal["edit_conflict", "illegal_transition", "idempotency_key_in_use"]
    detail: str
    current_version: int | None = None
    changes: list[ChangeOut] = []


READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS: dict[int, Any] = {
    400: ErrorOut,  # the body is not JSON
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ConflictOut,
    422: ValidationErrorOut,
}


# --- References to other records -------------------------------------------------------------------


class OrganisationRef(Schema):
    id: int
    name: str


class DistrictRef(Schema):
    id: int
    name: str


class LocationRef(Schema):
    id: int
    name: str
    category: str


# --- Request helpers ------------------------------------------------------------------------------


def actor_of(request: HttpRequest) -> User:
    """The signed-in user, by session or token; the API's auth has already refused anyone else."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def require(actor: User, capability: Capability) -> None:
    """Refuse (403) before looking anything up, as the HTML views' @requires does."""
    if not actor.can(capability):
        raise NotAllowed(f"Your role cannot {capability.label[0].lower()}{capability.label[1:]}")


@contextmanager
def body_paths(renames: Mapping[str, str]) -> Iterator[None]:
    """Re-key an action's InvalidInput from its field names to paths in the request body.

    Actions name fields as the HTML forms do ("reporting_person_name", "q_why_worried"); the API's 422
    should point at what the client sent ("reporting_person.name", "call_handler_answers.why_worried").
    A rename ending in "*" maps a prefix: {"q_*": "call_handler_answers.*"}. Dots become `loc` steps.
    """
    try:
        yield
    except InvalidInput as exc:
        renamed: dict[str, str] = {}
        for name, message in exc.errors.items():
            path = renames.get(name, name)
            for old, new in renames.items():
                if old.endswith("*") and name.startswith(old[:-1]):
                    path = new[:-1] + name[len(old) - 1 :]
            renamed[path] = message
        raise InvalidInput(renamed) from exc
