from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from homeward.identity.roles import Role, role_can


class OrganisationKind(models.TextChoices):
    POLICE_FORCE = "police_force", "Police force"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    NHS_TRUST = "nhs_trust", "NHS trust"
    CARE_PROVIDER = "care_provider", "Care provider"
    RHI_SERVICE = "rhi_service", "Return interview service"
    CHARITY = "charity", "Charity"
    COMMISSIONER = "commissioner", "Commissioner's office"


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    # The force whose area the organisation works in; a force points at itself.
    force = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="partners"
    )
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_police(self) -> bool:
        return self.kind == OrganisationKind.POLICE_FORCE


class District(models.Model):
    force = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="districts")
    name = models.CharField(max_length=100)
    population = models.PositiveIntegerField(default=0)
    council = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="council_districts"
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["force", "name"], name="district_unique_per_force")]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.SET_NULL)
    # When the password was last set (P4: no forced rotation, but a maximum age can be configured).
    password_changed_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every administrator's change to the account (identity.accounts), so two administrators
    # editing one account cannot overwrite each other (docs/concurrency.md). Signing in does not bump it.
    version = models.PositiveIntegerField(default=1)
    # When an administrator last re-enabled the account: the unused-account sweep (P11) counts 90 days
    # from here too, or it would disable again at once an account that had been unused for months.
    reactivated_at = models.DateTimeField(null=True, blank=True)

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def can(self, capability: str) -> bool:
        return self.is_active and bool(self.organisation_id) and role_can(self.role, capability)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class BackupCode(models.Model):
    """One single-use backup code for the second factor, kept only as a keyed hash (identity/mfa.py)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="backup_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="backup_code_unique")]


class ThrottleKind(models.TextChoices):
    USERNAME = "username", "Username"
    ADDRESS = "address", "Client address"


class SignInThrottle(models.Model):
    """Failed sign-ins counted per username and per client address (security baseline P6).

    Usernames are stored as a keyed hash: people type passwords into the username box, and unknown
    usernames are counted exactly like known ones so a lockout says nothing about who has an account.
    """

    kind = models.CharField(max_length=16, choices=ThrottleKind.choices)
    key = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="sign_in_throttle_unique")]


from homeward.identity.sharing_rules import SharingRule  # noqa: E402,F401
from homeward.identity.tokens import ApiToken  # noqa: E402,F401
