from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django_otp.plugins.otp_totp.models import TOTPDevice

from homeward.identity.models import User
from homeward.identity.roles import Capability
from homeward.identity.sharing_rules import SharingRule


def sharing_rules_all() -> QuerySet[SharingRule]:
    # Rules hold no personal data: they name organisations and relations, so no consultation is logged.
    return SharingRule.objects.select_related("organisation").order_by(
        "organisation_kind", "organisation__name", "basis"
    )


# Staff accounts hold colleagues' names and work email addresses, no case content: reading them is not
# logged as a consultation; every change to them is audited (identity.accounts).


def accounts_for(*, actor: User, search: str = "") -> QuerySet[User]:
    """The accounts of the administrator's own organisation (none for anyone else), each annotated with
    `has_authenticator`: whether a second factor is set up."""
    if not actor.can(Capability.MANAGE_ACCOUNTS) or actor.organisation_id is None:
        return User.objects.none()
    accounts = User.objects.filter(organisation_id=actor.organisation_id)
    search = search.strip()
    if search:
        accounts = accounts.filter(
            Q(username__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
        )
    return accounts.annotate(
        has_authenticator=Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True))
    ).order_by("last_name", "first_name", "username")


def account_for(*, actor: User, pk: int) -> User:
    """One account of the administrator's organisation; another organisation's is as missing (404)."""
    account = accounts_for(actor=actor).select_related("organisation").filter(pk=pk).first()
    if account is None:
        raise Http404("No such account")
    return account
