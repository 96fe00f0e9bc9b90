"""Password validators beyond Django's own (security baseline P2, P3). No composition rules (ASVS 6.2.5)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError


class MaximumLengthValidator:
    """Long passphrases are welcome; only absurd lengths (a denial of service on the hasher) are refused."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long. It must be {self.max_length} characters or fewer.",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Your password can be up to {self.max_length} characters long."


@lru_cache(maxsize=4)
def _breached(path: str) -> frozenset[str]:
    lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    return frozenset(line.strip().split(":")[0].upper() for line in lines if line.strip())


class BreachedPasswordValidator:
    """Refuse passwords in an offline breached-password list (P3), when the deployment provides one.

    HOMEWARD_BREACHED_PASSWORDS_FILE names a file of SHA-1 hashes in hex, one a line (the format of the
    published breach corpora, where ":count" may follow). Homeward never sends passwords anywhere.
    """

    def validate(self, password: str, user: Any = None) -> None:
        path = settings.HOMEWARD_BREACHED_PASSWORDS_FILE
        if not path:
            return
        digest = hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest().upper()
        if digest in _breached(path):
            raise ValidationError(
                "This password has appeared in a data breach. Choose a different one.",
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return "Your password must not be one that has appeared in a data breach."
