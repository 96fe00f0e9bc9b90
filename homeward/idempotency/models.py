from __future__ import annotations

from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """One API write made with an `Idempotency-Key`, and the response it got, for replays.

    Claimed (inserted with `status` null and committed) before the endpoint runs, so another request
    with the key sees at once that one is in flight; the response is stored in the same transaction as
    the write. A row with a null `status` is a request in flight, or one abandoned by a dead process
    (`homeward.idempotency.keys.claim_lifetime`).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    body_sha256 = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_one_key_per_user")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"
