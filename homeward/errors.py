"""Errors that actions raise and views/API turn into messages. Each carries a message a user can act on."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule refused the change. `field` names the input it is about, when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class IllegalTransition(DomainError):
    pass


class NotAllowed(DomainError):
    """The actor's role may not do this (403)."""


class EditConflict(DomainError):
    """Someone else saved the record after the user loaded it; nothing was written."""

    def __init__(self, message: str, *, current_version: int, changes: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.current_version = current_version
        self.changes = changes
