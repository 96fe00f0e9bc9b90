"""API tokens: long random secrets held by scripts and partner systems, stored only as SHA-256 hashes.

A token is shown once, when it is issued (homeward.identity.api_tokens.api_token_issue); the database
keeps its hash, so a copy of the database does not hand out working credentials. A token is stopped by
setting `revoked_at`; the row stays, so the audit trail can still name it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. the system that holds it")
    # Hex SHA-256 of the whole token. Tokens carry 256 bits of randomness, so an unsalted fast hash is
    # enough: there is nothing to guess, and the index makes the lookup one query.
    token_hash = models.CharField(max_length=64, unique=True)
    # The first characters of the token, so a holder can tell which of their tokens is which.
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
