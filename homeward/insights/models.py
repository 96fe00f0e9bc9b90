"""Subscriptions to the weekly datasets and the copies delivered (issue 4: "scheduled weekly
generation of the datasets, delivered to the users who subscribe")."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ReportSubscription(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    report = models.CharField(max_length=32, default="weekly")
    # None: force-wide (or, for a partner, every district it may choose).
    district = models.ForeignKey("identity.District", null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "report"], name="one_subscription_per_report")]

    def __str__(self) -> str:
        return f"{self.user} → {self.report}"


class DeliveredReport(models.Model):
    """One week's datasets for one subscriber, as the XLSX they download. Kept in the database (a few
    hundred KB at most), so a database backup holds them and no file store is needed."""

    subscription = models.ForeignKey(ReportSubscription, on_delete=models.CASCADE, related_name="deliveries")
    as_of = models.DateField()
    created_at = models.DateTimeField()
    rows = models.PositiveIntegerField()
    content = models.BinaryField()
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "as_of"], name="one_delivery_per_week")
        ]

    def __str__(self) -> str:
        return f"{self.subscription} as of {self.as_of}"
