"""The three-organisation test world (ARCHITECTURE habit 3) and shared fixtures.

- Force A (police) with districts North and South; users of each police role.
- Council B: the partner. It is North district's council and the placing authority of Ruby Hartley,
  a looked-after 15-year-old living at Oak House, a children's home run by Care Provider B.
- Council C: the outsider, with a user who must see nothing of A's or B's casework.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.test.client import ClientMixin
from django.urls import reverse
from django.utils import timezone

from homeward.identity.models import District, Organisation, OrganisationKind, User
from homeward.identity.roles import Role
from homeward.identity.sharing_rules import sharing_rules_ensure_defaults
from homeward.identity.signin import session_mark_signed_in
from homeward.places.models import Location, LocationCategory

pytest_plugins = ["homeward.browser_fixtures"]

TEST_PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach the network; loopback (live server, PostgreSQL) is allowed."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if (
            isinstance(host, str)
            and host not in ("127.0.0.1", "localhost", "::1")
            and self.family != socket.AF_UNIX
        ):
            raise RuntimeError(f"network access in a test: {address!r}")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


# On PostgreSQL the suite runs as the application's own role, not the superuser that created the test
# database: the row-level security policies bind it (ACC-5) exactly as they bind the web server in
# production, so every test that passes on PostgreSQL also proves the policies let the work through.
APPLICATION_ROLE = "homeward_app_test"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    from django.db import connection

    from homeward.security.database_roles import grant_application_role

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            grant_application_role(connection, APPLICATION_ROLE, create=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The demo loaders run as the tables' owner, like `migrate`: they fill an empty database in bulk
    (COPY, which row-level security refuses) and move the id sequences past the ids they assigned,
    which only the owner may. Their tests run as the owner too."""
    for item in items:
        path = str(item.path)
        if "/demo/tests/" in path or item.path.name.startswith("test_demo"):
            item.add_marker(pytest.mark.database_owner)


@pytest.fixture(autouse=True)
def _as_the_application_role(request: pytest.FixtureRequest) -> Iterator[None]:
    uses_database = "_django_db_helper" in request.fixturenames or bool(
        request.node.get_closest_marker("django_db")
    )
    if not uses_database or request.node.get_closest_marker("database_owner"):
        yield
        return
    # After the database fixture, so its transaction (or flush) stays the owner's.
    request.getfixturevalue("_django_db_helper")
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {APPLICATION_ROLE}")
    try:
        yield
    finally:
        if connection.connection is not None and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")


@pytest.fixture(autouse=True)
def _test_settings(settings: object, tmp_path: object) -> None:
    """Speed and isolation for tests; production settings are asserted in identity/tests/test_settings.py.

    - Uploaded photos go to a temporary folder, never var/media.
    - A fast password hasher: Argon2 is deliberately slow, and every fixture user hashes a password.
    - WhiteNoise looks files up per request instead of indexing every static file for each test client.
    """
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined,operator]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    settings.WHITENOISE_AUTOREFRESH = True  # type: ignore[attr-defined]


def mark_client_fully_signed_in(client: Client) -> None:
    """Stamp a test client's session as having passed both sign-in factors just now.

    The stand-in for typing a password and an authenticator code, for tests about something else.
    The sign-in itself is tested through the real pages in homeward/identity/tests/.
    """
    session = client.session
    session_mark_signed_in(session)
    session.save()


@pytest.fixture(autouse=True)
def _test_client_sign_in_counts_as_both_factors(monkeypatch: pytest.MonkeyPatch) -> None:
    """`client.force_login(user)` and `client.login(...)` in tests give a fully signed-in session.

    Both skip Homeward's sign-in pages, so without this every test about casework would first have to
    enrol an authenticator app. Tests of sign-in itself post to the real pages (homeward/identity/tests),
    including one proving that a password-only session is sent to the code page;
    `sign_in_with_password_only` gives such a session.
    """
    real_force_login = ClientMixin.force_login
    real_login = ClientMixin.login

    def force_login(self: Client, user: object, backend: str | None = None) -> None:
        real_force_login(self, user, backend)  # type: ignore[arg-type]
        mark_client_fully_signed_in(self)

    def login(self: Client, **credentials: object) -> bool:
        signed_in = real_login(self, **credentials)
        if signed_in:
            mark_client_fully_signed_in(self)
        return signed_in

    monkeypatch.setattr(ClientMixin, "force_login", force_login)
    monkeypatch.setattr(ClientMixin, "login", login)


def sign_in_with_password_only(client: Client, user: User, password: str = TEST_PASSWORD) -> None:
    """Through the real sign-in page, stopping before the second factor."""
    response = client.post(reverse("login"), {"username": user.username, "password": password})
    assert response.status_code == 302, response


@dataclass
class World:
    force: Organisation
    north: District
    south: District
    council_b: Organisation
    council_c: Organisation
    provider_b: Organisation
    oak_house: Location
    family_home: Location
    call_handler: User
    officer: User
    supervisor: User
    partner: User
    care_staff: User
    outsider: User
    commissioner: User


def make_user(username: str, org: Organisation, role: str, district: District | None = None) -> User:
    user = User.objects.create_user(
        username=username,
        password=TEST_PASSWORD,
        organisation=org,
        role=role,
        district=district,
        first_name=username.split("_")[0].title(),
        last_name="Tester",
    )
    return user


@pytest.fixture
def world(db: None) -> World:
    # Transactional tests flush the database after each test, taking the migration-loaded rules with it.
    sharing_rules_ensure_defaults()
    force = Organisation.objects.create(name="Force A Police", kind=OrganisationKind.POLICE_FORCE)
    force.force = force
    force.save()
    council_b = Organisation.objects.create(
        name="Council B", kind=OrganisationKind.LOCAL_AUTHORITY, force=force
    )
    council_c = Organisation.objects.create(name="Council C", kind=OrganisationKind.LOCAL_AUTHORITY)
    provider_b = Organisation.objects.create(
        name="Care Provider B", kind=OrganisationKind.CARE_PROVIDER, force=force
    )
    commissioner_org = Organisation.objects.create(
        name="Commissioner's Office A", kind=OrganisationKind.COMMISSIONER, force=force
    )
    north = District.objects.create(force=force, name="North", population=500_000, council=council_b)
    south = District.objects.create(force=force, name="South", population=300_000)
    oak_house = Location.objects.create(
        name="Oak House",
        address="1 Oak Lane, Northtown",
        postcode="NT1 1AA",
        category=LocationCategory.CHILDRENS_HOME,
        force=force,
        district=north,
        provider=provider_b,
        registration_ref="SC000001",
    )
    family_home = Location.objects.create(
        name="14 Elm Road",
        address="14 Elm Road, Southtown",
        category=LocationCategory.PRIVATE_HOME,
        force=force,
        district=south,
    )
    return World(
        force=force,
        north=north,
        south=south,
        council_b=council_b,
        council_c=council_c,
        provider_b=provider_b,
        oak_house=oak_house,
        family_home=family_home,
        call_handler=make_user("callie_handler", force, Role.CALL_HANDLER, north),
        officer=make_user("oscar_officer", force, Role.OFFICER, north),
        supervisor=make_user("sam_supervisor", force, Role.SUPERVISOR, north),
        partner=make_user("pat_partner", council_b, Role.CSC_MISSING_OFFICER),
        care_staff=make_user("carys_carer", provider_b, Role.CARE_STAFF),
        outsider=make_user("olive_outsider", council_c, Role.CSC_MISSING_OFFICER),
        commissioner=make_user("cora_commissioner", commissioner_org, Role.COMMISSIONER),
    )


@pytest.fixture
def now() -> dt.datetime:
    return timezone.now()
