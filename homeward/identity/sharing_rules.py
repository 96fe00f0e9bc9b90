"""Sharing rules as data (SPEC §5): which organisations see which episodes, and why.

Each rule grants an organisation — every organisation of a kind, or one named organisation — one
*basis*: a well-defined relation between an organisation and an episode. The bases are code (each is
a precise query); which organisations get which bases is data, changed without a release.
"""

from __future__ import annotations

from django.db import models

from homeward.identity.models import OrganisationKind


class Basis(models.TextChoices):
    FORCE_ALL = "force_all", "Every episode and person in its own force"
    PLACING_AUTHORITY = "placing_authority", "Children and adults it placed (placing authority)"
    HOST_AUTHORITY_CHILDREN = "host_authority_children", "Children missing in its area (host authority)"
    HOME_AUTHORITY_CHILDREN = "home_authority_children", "Children who live in its area"
    MISSING_FROM_PREMISES = "missing_from_premises", "People missing from premises it runs"


class SharingRule(models.Model):
    organisation_kind = models.CharField(max_length=32, choices=OrganisationKind.choices, blank=True)
    organisation = models.ForeignKey(
        "identity.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="sharing_rules"
    )
    basis = models.CharField(max_length=32, choices=Basis.choices)
    active = models.BooleanField(default=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        app_label = "identity"
        ordering = ["organisation_kind", "organisation_id", "basis"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(organisation_kind="") | models.Q(organisation__isnull=False),
                name="sharing_rule_names_a_kind_or_an_organisation",
            )
        ]

    def __str__(self) -> str:
        who = (
            self.organisation.name
            if self.organisation_id and self.organisation
            else self.get_organisation_kind_display()
        )
        return f"{who}: {self.get_basis_display()}"


# The defaults every new installation starts with (loaded by migration identity.0004).
DEFAULT_RULES: list[tuple[str, str]] = [
    (OrganisationKind.POLICE_FORCE, Basis.FORCE_ALL),
    (OrganisationKind.LOCAL_AUTHORITY, Basis.PLACING_AUTHORITY),
    (OrganisationKind.LOCAL_AUTHORITY, Basis.HOST_AUTHORITY_CHILDREN),
    (OrganisationKind.LOCAL_AUTHORITY, Basis.HOME_AUTHORITY_CHILDREN),
    (OrganisationKind.CARE_PROVIDER, Basis.MISSING_FROM_PREMISES),
    (OrganisationKind.NHS_TRUST, Basis.MISSING_FROM_PREMISES),
]


def sharing_rules_ensure_defaults() -> None:
    """Create any missing default rule. Migrations load them once; tests whose database is flushed
    between them (browser tests) call this to get them back."""
    for kind, basis in DEFAULT_RULES:
        SharingRule.objects.get_or_create(organisation_kind=kind, organisation=None, basis=basis)
