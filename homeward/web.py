"""Helpers shared by the HTML views: capability checks and turning action errors into form errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from homeward.errors import DomainError, EditConflict, InvalidInput, NotAllowed

V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def requires(capability: str) -> Callable[[V], V]:
    """Signed in, and the role has the capability; otherwise the sign-in page or 403."""

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.can(capability):  # type: ignore[union-attr]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)  # type: ignore[return-value]

    return decorator


def apply_action(form: forms.Form, perform: Callable[[], Any], context: dict[str, Any]) -> Any | None:
    """Run an action for a valid form. On a refusal, put the message beside the field and return None.

    The form keeps what the user typed. On an edit conflict the hidden version moves on to the current
    one, so submitting again deliberately saves over the changes the user has now been shown.
    """
    try:
        return perform()
    except InvalidInput as exc:
        for name, message in exc.errors.items():
            form.add_error(name if name in form.fields else None, message)
    except EditConflict as exc:
        context["conflict"] = exc
        if "version" in form.fields:
            data = form.data.copy()  # type: ignore[attr-defined]
            data["version"] = str(exc.current_version)
            form.data = data
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        form.add_error(None, exc.message)
    return None


def parse_id(raw: str | None) -> int | None:
    """A database id from a query string, or None: never an exception, whatever was typed."""
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        return None
    return int(raw)
