from __future__ import annotations

from django.db.models import QuerySet

from homeward.identity.sharing_rules import SharingRule


def sharing_rules_all() -> QuerySet[SharingRule]:
    # Rules hold no personal data: they name organisations and relations, so no consultation is logged.
    return SharingRule.objects.select_related("organisation").order_by(
        "organisation_kind", "organisation__name", "basis"
    )
