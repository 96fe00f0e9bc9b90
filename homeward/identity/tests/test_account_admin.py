"""Account administration (docs/authentication.md, "Account administration"): an organisation's
administrator manages its own accounts only, with step-up before every change (P9, AUTH-5), every change
audited (AUD-6), deactivation ending sessions (P10, AUTH-4) and conflicting edits refused."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from homeward.audit.models import AuditEvent, Operation
from homeward.conftest import TEST_PASSWORD, World, make_user
from homeward.identity import accounts
from homeward.identity.mfa import backup_codes_issue
from homeward.identity.models import OrganisationKind, User
from homeward.identity.roles import ROLES_BY_ORGANISATION_KIND, Role, roles_for_organisation_kind
from homeward.identity.tests.helpers import code_now, enrol, sign_in_fully
from homeward.identity.tests.route_records import MISSING_ID

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC)
NEW_PASSWORD = "a-long-enough-first-passphrase-7"
ACCOUNT_ROUTES = (
    "accounts:detail",
    "accounts:role",
    "accounts:deactivate",
    "accounts:reactivate",
    "accounts:mfa_reset",
)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def admin(world: World) -> User:
    return make_user("ada_admin", world.force, Role.ADMINISTRATOR)


@pytest.fixture
def admin_client(client: Client, admin: User) -> Client:
    client.force_login(admin)  # signed in just now: step-up is satisfied
    return client


def url(name: str, account: User | None = None) -> str:
    return reverse(name, kwargs={"pk": account.pk}) if account is not None else reverse(name)


def admin_events(event_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(operation=Operation.ADMIN, event_type=event_type).order_by("id"))


def error_beside(html: str, field: str, text: str) -> bool:
    """The message is in the field's own error line (govuk-error-message), not only in the summary."""
    marker = f'id="id_{field}-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> '
    start = html.find(marker)
    return start >= 0 and text in html[start : start + len(marker) + 300]


# --- Who reaches the pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer", "supervisor", "partner", "commissioner", "auditor"])
def test_only_administrators_reach_the_account_pages(client, world, who):
    user = make_user("aud_auditor", world.force, Role.AUDITOR) if who == "auditor" else getattr(world, who)
    client.force_login(user)
    for name in ("accounts:list", "accounts:create"):
        assert client.get(url(name)).status_code == 403, name
        assert client.post(url(name)).status_code == 403, name
    for name in ACCOUNT_ROUTES:
        assert client.get(url(name, world.officer)).status_code == 403, name
        assert client.post(url(name, world.officer), {"version": 1, "role": "analyst"}).status_code == 403
    world.officer.refresh_from_db()
    assert world.officer.role == Role.OFFICER and world.officer.is_active and world.officer.version == 1
    assert ("Accounts", "accounts:list") not in client.get(reverse("account_security")).context["nav_items"]


def test_the_administrator_lists_their_own_organisations_accounts_only(admin_client, world, admin):
    enrol(world.officer)
    User.objects.filter(pk=world.supervisor.pk).update(is_active=False)
    response = admin_client.get(url("accounts:list"))
    assert response.status_code == 200
    assert ("Accounts", "accounts:list") in response.context["nav_items"]
    listed = {account.username for account in response.context["page"]}
    force_a = set(User.objects.filter(organisation=world.force).values_list("username", flat=True))
    assert listed == force_a and "pat_partner" not in listed and "olive_outsider" not in listed
    html = response.content.decode()
    row = html[html.index('data-account="oscar_officer"') :]
    assert "Officer / investigator" in row[:800] and "Set up" in row[:800]
    row = html[html.index('data-account="sam_supervisor"') :]
    assert "Deactivated" in row[:800] and "Not set up" in row[:800]
    found = admin_client.post(url("accounts:list"), {"q": "oscar"})  # names stay out of URLs (DEP-3)
    assert [a.username for a in found.context["page"]] == ["oscar_officer"]
    # An administrator's home page is the account list.
    assert admin_client.get(reverse("home"))["Location"] == url("accounts:list")


def test_the_account_page_shows_role_status_last_sign_in_and_authenticator(admin_client, world, clock):
    enrol(world.officer)
    backup_codes_issue(actor=world.officer)
    User.objects.filter(pk=world.officer.pk).update(last_login=START - dt.timedelta(days=2))
    html = admin_client.get(url("accounts:detail", world.officer)).content.decode()
    assert "Officer / investigator" in html and "Active" in html
    assert "28 February 2026" in html and "10 backup codes unused" in html
    assert url("accounts:role", world.officer) in html and url("accounts:mfa_reset", world.officer) in html
    never = admin_client.get(url("accounts:detail", world.call_handler)).content.decode()
    assert "Never" in never and "Not set up" in never


def test_another_organisations_account_is_404_the_same_as_a_missing_one(client, world):
    """Council C's administrator, on Force A's officer: every page and every change, GET and POST."""
    outsider_admin = make_user("cal_admin", world.council_c, Role.ADMINISTRATOR)
    client.force_login(outsider_admin)
    for name in ACCOUNT_ROUTES:
        for method in ("get", "post"):
            data = {"version": 1, "role": Role.ANALYST, "reason": "testing the walls"}
            real = getattr(client, method)(url(name, world.officer), data).status_code
            missing = getattr(client, method)(reverse(name, kwargs={"pk": MISSING_ID}), data).status_code
            assert real == missing == 404, (name, method, real, missing)
    world.officer.refresh_from_db()
    assert world.officer.role == Role.OFFICER and world.officer.is_active and world.officer.version == 1
    assert not AuditEvent.objects.filter(operation=Operation.ADMIN).exists()


# --- Step-up -----------------------------------------------------------------------------------------


def test_every_change_needs_recent_authentication_and_nothing_changes_without_it(client, world, admin, clock):
    secret = enrol(admin)
    sign_in_fully(client, admin, secret)
    enrol(world.officer)
    clock.shift(dt.timedelta(minutes=16))
    assert client.get(url("accounts:detail", world.officer)).status_code == 200  # reading: no step-up
    posts = {
        "accounts:role": {"version": 1, "role": Role.SUPERVISOR},
        "accounts:deactivate": {"version": 1, "reason": "left the force"},
        "accounts:reactivate": {"version": 1},
        "accounts:mfa_reset": {"version": 1, "reason": "lost phone"},
    }
    for name, data in posts.items():
        target = url(name, world.officer)
        for response in (client.get(target), client.post(target, data)):
            confirm = reverse("reauthenticate") + "?next=" + quote(target, safe="")
            assert response.status_code == 302 and response["Location"] == confirm, name
    create = client.post(url("accounts:create"), {"username": "new_one", "role": Role.OFFICER})
    assert create["Location"].startswith(reverse("reauthenticate"))
    world.officer.refresh_from_db()
    assert world.officer.role == Role.OFFICER and world.officer.is_active and world.officer.version == 1
    assert TOTPDevice.objects.filter(user=world.officer).exists()
    assert not User.objects.filter(username="new_one").exists()
    assert not AuditEvent.objects.filter(operation=Operation.ADMIN).exists()

    # Confirming password and code brings the administrator back to the form, which then works.
    target = url("accounts:role", world.officer)
    confirm = reverse("reauthenticate") + "?next=" + quote(target, safe="")
    back = client.post(confirm, {"password": TEST_PASSWORD, "code": code_now(secret), "next": target})
    assert back.status_code == 302 and back["Location"] == target
    assert client.get(target).status_code == 200
    done = client.post(target, posts["accounts:role"])
    assert done.status_code == 302 and done["Location"] == url("accounts:detail", world.officer)
    world.officer.refresh_from_db()
    assert world.officer.role == Role.SUPERVISOR


# --- Changing a role ---------------------------------------------------------------------------------


def test_a_role_change_is_audited_with_the_old_and_new_role_and_takes_effect_at_once(
    admin_client, world, admin
):
    officer = Client()
    officer.force_login(world.officer)
    assert officer.get(reverse("report_start")).status_code == 200
    page = admin_client.get(url("accounts:role", world.officer)).content.decode()
    assert 'name="version" value="1"' in page
    assert "Children&#x27;s social care missing officer" not in page  # not a role in a police force
    response = admin_client.post(
        url("accounts:role", world.officer),
        {"version": 1, "role": Role.ANALYST, "reason": "moved to the analysis team"},
    )
    assert response.status_code == 302
    world.officer.refresh_from_db()
    assert world.officer.role == Role.ANALYST and world.officer.version == 2
    [event] = admin_events("account.role_changed")
    assert event.actor_user_id == admin.pk and event.object_ids == [str(world.officer.pk)]
    assert event.changed_fields == ["role"]
    assert event.reason_text == "from Officer / investigator to Analyst: moved to the analysis team"
    # Capabilities are read afresh on every request: the analyst can no longer take a report.
    assert officer.get(reverse("report_start")).status_code == 403
    assert (
        "is now Analyst (was Officer / investigator)"
        in admin_client.get(url("accounts:detail", world.officer)).content.decode()
    )


@pytest.mark.parametrize(
    ("role", "message"),
    [
        (
            Role.CSC_MISSING_OFFICER,
            "Children&#x27;s social care missing officer is not a role in a police force",
        ),
        ("superuser", "Choose a role from the list"),
        (Role.OFFICER, "The account is already Officer / investigator"),
        ("", "Choose a role"),
    ],
)
def test_a_role_the_organisation_cannot_have_is_refused_beside_the_field(admin_client, world, role, message):
    response = admin_client.post(
        url("accounts:role", world.officer), {"version": 1, "role": role, "reason": "typed by hand"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert error_beside(html, "role", message), html
    assert "typed by hand" in html  # what was typed is kept
    world.officer.refresh_from_db()
    assert world.officer.role == Role.OFFICER and world.officer.version == 1
    assert not AuditEvent.objects.filter(operation=Operation.ADMIN).exists()


def test_an_administrator_cannot_change_their_own_role_or_deactivate_or_reset_themself(admin_client, admin):
    enrol(admin)
    page = admin_client.get(url("accounts:detail", admin)).content.decode()
    assert "This is your own account" in page
    assert url("accounts:role", admin) not in page and url("accounts:deactivate", admin) not in page
    role = admin_client.post(url("accounts:role", admin), {"version": 1, "role": Role.AUDITOR})
    assert role.status_code == 400
    assert error_beside(role.content.decode(), "role", "You cannot change your own role")
    off = admin_client.post(url("accounts:deactivate", admin), {"version": 1, "reason": "going on leave"})
    assert off.status_code == 400 and "You cannot deactivate your own account" in off.content.decode()
    reset = admin_client.post(url("accounts:mfa_reset", admin), {"version": 1, "reason": "new phone"})
    assert reset.status_code == 400 and "You cannot reset your own authenticator" in reset.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.ADMINISTRATOR and admin.is_active and admin.version == 1
    assert TOTPDevice.objects.filter(user=admin).exists()


def test_two_administrators_editing_one_account_the_second_is_shown_a_conflict(admin_client, world):
    other_admin = Client()
    other_admin.force_login(make_user("abe_admin", world.force, Role.ADMINISTRATOR))
    target = url("accounts:role", world.officer)
    for browser in (admin_client, other_admin):
        assert 'name="version" value="1"' in browser.get(target).content.decode()

    assert admin_client.post(target, {"version": 1, "role": Role.SUPERVISOR}).status_code == 302
    late = other_admin.post(target, {"version": 1, "role": Role.ANALYST, "reason": "team move"})

    assert late.status_code == 400
    html = late.content.decode()
    assert "Changed by someone else" in html
    assert "it is now Supervisor (sergeant) / duty inspector, active" in html
    assert "team move" in html and 'name="version" value="2"' in html  # kept, and the version moved on
    world.officer.refresh_from_db()
    assert world.officer.role == Role.SUPERVISOR and world.officer.version == 2
    assert len(admin_events("account.role_changed")) == 1
    # Submitting again, having seen the change, is a deliberate decision: it is saved.
    assert other_admin.post(target, {"version": 2, "role": Role.ANALYST}).status_code == 302
    world.officer.refresh_from_db()
    assert world.officer.role == Role.ANALYST and world.officer.version == 3


def test_a_deactivation_racing_a_role_change_conflicts_too(admin_client, world, admin):
    accounts.user_role_change(actor=admin, user=world.officer, role=Role.ANALYST, expected_version=1)
    response = admin_client.post(
        url("accounts:deactivate", world.officer), {"version": 1, "reason": "left the force"}
    )
    assert response.status_code == 400 and "Changed by someone else" in response.content.decode()
    world.officer.refresh_from_db()
    assert world.officer.is_active


# --- Deactivating and re-enabling --------------------------------------------------------------------


def test_deactivating_ends_every_session_and_reenabling_lets_them_back(admin_client, world, admin, clock):
    officer = Client()
    officer.force_login(world.officer)
    assert officer.get(reverse("dashboard")).status_code == 200

    blank = admin_client.post(url("accounts:deactivate", world.officer), {"version": 1, "reason": ""})
    assert blank.status_code == 400 and error_beside(
        blank.content.decode(), "reason", "This field is required"
    )
    response = admin_client.post(
        url("accounts:deactivate", world.officer), {"version": 1, "reason": "left the force, ticket 7"}
    )
    assert response.status_code == 302

    # The old cookie is now anonymous: the next request is sent to sign in.
    next_request = officer.get(reverse("dashboard"))
    assert next_request.status_code == 302 and next_request["Location"].startswith(reverse("login"))
    world.officer.refresh_from_db()
    assert not world.officer.is_active and world.officer.version == 2
    [event] = admin_events("account.deactivated")
    assert event.actor_user_id == admin.pk and event.reason_text == "left the force, ticket 7"
    assert (
        AuditEvent.objects.get(event_type="session.ended_by_deactivation").reason_text == "1 session(s) ended"
    )
    assert not Client().login(username=world.officer.username, password=TEST_PASSWORD)

    page = admin_client.get(url("accounts:detail", world.officer)).content.decode()
    assert url("accounts:reactivate", world.officer) in page and "Deactivated" in page
    response = admin_client.post(url("accounts:reactivate", world.officer), {"version": 2})
    assert response.status_code == 302
    world.officer.refresh_from_db()
    assert world.officer.is_active and world.officer.reactivated_at is not None
    assert admin_events("account.reactivated")[0].actor_user_id == admin.pk
    assert Client().login(username=world.officer.username, password=TEST_PASSWORD)


def test_a_reenabled_account_gets_a_fresh_ninety_days_before_the_sweep(world, admin, clock):
    User.objects.filter(pk=world.officer.pk).update(last_login=START - dt.timedelta(days=120))
    assert accounts.accounts_disable_inactive() == 1
    world.officer.refresh_from_db()
    accounts.user_reactivate(actor=admin, user=world.officer, expected_version=world.officer.version)
    assert accounts.accounts_disable_inactive() == 0
    clock.shift(dt.timedelta(days=91))
    assert world.officer.pk in {u.pk for u in accounts.accounts_inactive()}


# --- Resetting the authenticator ---------------------------------------------------------------------


def test_resetting_the_authenticator_removes_it_and_ends_their_sessions(admin_client, world, admin):
    enrol(world.officer)
    backup_codes_issue(actor=world.officer)
    officer = Client()
    officer.force_login(world.officer)
    response = admin_client.post(
        url("accounts:mfa_reset", world.officer), {"version": 1, "reason": "lost phone, checked by call"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.officer).exists()
    assert not world.officer.backup_codes.exists()
    assert not Session.objects.filter(session_key=officer.session.session_key).exists()
    [event] = admin_events("mfa.reset")
    assert event.actor_user_id == admin.pk
    assert event.reason_text == "lost phone, checked by call (1 session(s) ended)"
    world.officer.refresh_from_db()
    assert world.officer.version == 2 and world.officer.is_active


# --- Creating an account -----------------------------------------------------------------------------


def _new_account(**overrides: str) -> dict[str, str]:
    data = {
        "username": "nadia.new",
        "first_name": "Nadia",
        "last_name": "Newton",
        "email": "nadia.newton@example.org",
        "role": Role.CALL_HANDLER,
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
    }
    return {**data, **overrides}


def test_creating_an_account_in_the_administrators_organisation(admin_client, world, admin, clock):
    response = admin_client.post(url("accounts:create"), _new_account(organisation=str(world.council_c.pk)))
    created = User.objects.get(username="nadia.new")
    assert response.status_code == 302 and response["Location"] == url("accounts:detail", created)
    assert created.organisation == world.force  # never from the form
    assert (
        created.role == Role.CALL_HANDLER
        and created.is_active
        and created.email == "nadia.newton@example.org"
    )
    [event] = admin_events("account.created")
    assert event.actor_user_id == admin.pk and event.object_ids == [str(created.pk)]
    assert NEW_PASSWORD not in str(event.reason_text) + str(event.changed_fields)

    # Their first sign-in: the initial password, then setting up an authenticator app.
    newcomer = Client()
    signed_in = newcomer.post(reverse("login"), {"username": "nadia.new", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302 and signed_in["Location"].startswith(reverse("mfa_enrol"))


def test_bad_input_is_kept_with_each_error_beside_its_field(admin_client, world):
    response = admin_client.post(
        url("accounts:create"),
        _new_account(
            username="Oscar_Officer",  # taken, in another case
            email="not an email",
            role=Role.CARE_STAFF,  # not a police role
            password="short",
            password_again="shorter",
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert error_beside(html, "email", "Enter a valid email address")
    assert error_beside(html, "password_again", "The two passwords are not the same")
    assert 'value="Oscar_Officer"' in html and 'value="Nadia"' in html and 'value="not an email"' in html
    assert "short" not in html.split('id="id_password"')[1][:200]  # a password is never sent back

    # With the form's own checks passed, the action's rules put their errors beside their fields too.
    response = admin_client.post(
        url("accounts:create"),
        _new_account(
            username="Oscar_Officer", role=Role.CARE_STAFF, password="nadia.new", password_again="nadia.new"
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert error_beside(html, "username", "That username is taken")
    assert error_beside(html, "role", "Care provider staff is not a role in a police force")
    assert error_beside(html, "password", "This password is too short")
    assert User.objects.filter(username__iexact="oscar_officer").count() == 1
    assert not AuditEvent.objects.filter(operation=Operation.ADMIN).exists()


def test_a_councils_administrator_gives_council_roles(client, world):
    council_admin = make_user("cat_admin", world.council_b, Role.ADMINISTRATOR)
    client.force_login(council_admin)
    page = client.get(url("accounts:create")).content.decode()
    assert "Children&#x27;s social care missing officer" in page and "Call handler" not in page
    client.post(url("accounts:create"), _new_account(username="cara.council", role=Role.CSC_MISSING_OFFICER))
    assert User.objects.get(username="cara.council").organisation == world.council_b


# --- The rules ---------------------------------------------------------------------------------------


def test_every_organisation_kind_has_its_roles_and_auditors_and_administrators_belong_anywhere():
    assert set(ROLES_BY_ORGANISATION_KIND) == set(OrganisationKind.values)
    for kind in OrganisationKind.values:
        roles = roles_for_organisation_kind(kind)
        assert Role.AUDITOR in roles and Role.ADMINISTRATOR in roles
    assert Role.CALL_HANDLER in roles_for_organisation_kind(OrganisationKind.POLICE_FORCE)
    assert Role.CALL_HANDLER not in roles_for_organisation_kind(OrganisationKind.LOCAL_AUTHORITY)
    assert roles_for_organisation_kind(OrganisationKind.COMMISSIONER) == (
        Role.COMMISSIONER,
        Role.AUDITOR,
        Role.ADMINISTRATOR,
    )


def test_actions_refuse_anyone_but_an_administrator_of_the_same_organisation(world, admin):
    from homeward.errors import NotAllowed

    with pytest.raises(NotAllowed):
        accounts.user_role_change(
            actor=world.supervisor, user=world.officer, role=Role.ANALYST, expected_version=1
        )
    outsider_admin = make_user("cal_admin", world.council_c, Role.ADMINISTRATOR)
    with pytest.raises(NotAllowed):
        accounts.user_deactivate(
            actor=outsider_admin, user=world.officer, reason="not mine", expected_version=1
        )
    world.officer.refresh_from_db()
    assert world.officer.is_active and world.officer.role == Role.OFFICER


@pytest.mark.django_db(transaction=True)
def test_two_administrators_at_the_same_moment_one_wins_one_conflicts(world):
    """On real connections in two threads, so the databases' own locking is exercised (docs/concurrency.md):
    one administrator changes the role while another deactivates the account, both from version 1."""
    import threading

    from django.db import connections

    from homeward.errors import EditConflict

    first = make_user("ada_admin", world.force, Role.ADMINISTRATOR)
    second = make_user("abe_admin", world.force, Role.ADMINISTRATOR)
    account = User.objects.get(pk=world.officer.pk)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def change(do):
        try:
            barrier.wait(timeout=10)
            do(User.objects.get(pk=account.pk))
            outcomes.append("saved")
        except EditConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(
            target=change,
            args=(
                lambda user: accounts.user_role_change(
                    actor=first, user=user, role=Role.ANALYST, expected_version=1
                ),
            ),
        ),
        threading.Thread(
            target=change,
            args=(
                lambda user: accounts.user_deactivate(
                    actor=second, user=user, reason="left the force", expected_version=1
                ),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "saved"]
    account.refresh_from_db()
    assert account.version == 2
    changed = (account.role == Role.ANALYST) != (not account.is_active)  # exactly one of the two
    assert changed
    assert AuditEvent.objects.filter(operation=Operation.ADMIN).count() == 1


def test_a_long_list_comes_a_page_at_a_time(admin_client, world):
    User.objects.bulk_create(
        User(username=f"pc{n:03}", last_name=f"Constable {n:03}", organisation=world.force, role=Role.OFFICER)
        for n in range(60)
    )
    first = admin_client.get(url("accounts:list"))
    assert len(first.context["page"]) == 50 and 'href="?page=2"' in first.content.decode()
    second = admin_client.get(url("accounts:list"), {"page": 2})
    assert len(second.context["page"]) == User.objects.filter(organisation=world.force).count() - 50
    searched = admin_client.post(url("accounts:list"), {"q": "constable"}).content.decode()
    assert "60 accounts matching" in searched and "the first 50 shown" in searched
