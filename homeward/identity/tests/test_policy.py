"""The sign-in policy numbers are settings held to the baseline by system checks (AUTH-1), and the
password rules are P2-P5."""

from __future__ import annotations

import hashlib

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from homeward.identity.checks import POLICY_RANGES, sign_in_policy_check


def test_the_defaults_are_the_baseline_numbers():
    assert settings.HOMEWARD_LOCKOUT_FAILURES == 5
    assert settings.HOMEWARD_LOCKOUT_MINUTES == 10
    assert settings.HOMEWARD_SESSION_IDLE_MINUTES == 30
    assert settings.HOMEWARD_SESSION_ABSOLUTE_HOURS == 12
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.HOMEWARD_STEP_UP_MINUTES == 15
    assert settings.HOMEWARD_INACTIVE_ACCOUNT_DAYS == 90
    assert settings.HOMEWARD_BACKUP_CODES == 10
    assert settings.HOMEWARD_PASSWORD_MIN_LENGTH == 12
    assert settings.HOMEWARD_PASSWORD_MAX_LENGTH >= 128
    assert sign_in_policy_check() == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HOMEWARD_LOCKOUT_FAILURES", 6),
        ("HOMEWARD_LOCKOUT_MINUTES", 9),
        ("HOMEWARD_SESSION_IDLE_MINUTES", 31),
        ("HOMEWARD_SESSION_ABSOLUTE_HOURS", 13),
        ("HOMEWARD_STEP_UP_MINUTES", 31),
        ("HOMEWARD_INACTIVE_ACCOUNT_DAYS", 91),
        ("HOMEWARD_PASSWORD_MIN_LENGTH", 8),
        ("HOMEWARD_PASSWORD_MAX_LENGTH", 32),
    ],
)
def test_a_value_outside_the_baseline_fails_the_system_check(settings, name, value):
    setattr(settings, name, value)
    if name == "HOMEWARD_SESSION_ABSOLUTE_HOURS":
        settings.SESSION_COOKIE_AGE = value * 3600
    errors = sign_in_policy_check()
    assert [e.id for e in errors if name in e.msg] == ["homeward.E101"], errors
    assert name in POLICY_RANGES


def test_argon2id_is_first_with_at_least_owasp_parameters():
    from homeward import settings as module  # tests swap in a fast hasher; the module is what ships

    assert module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    hasher = Argon2PasswordHasher()
    # OWASP's Argon2id minimum: m=19 MiB, t=2, p=1.
    assert hasher.memory_cost >= 19 * 1024 and hasher.time_cost >= 2 and hasher.parallelism >= 1
    assert hasher.encode("a long enough passphrase", hasher.salt()).startswith("argon2$argon2id$")


def test_password_rules_length_and_lists_but_no_composition(tmp_path, settings):
    with pytest.raises(ValidationError):
        validate_password("seven words")  # 11 characters
    validate_password("twelve chars")  # lower-case letters and a space are enough
    validate_password("x" * 20 + " a passphrase " + "y" * 94)  # 128 characters
    with pytest.raises(ValidationError):
        validate_password("z" * 129)
    with pytest.raises(ValidationError):
        validate_password("password1234")  # on the common-passwords list
    with pytest.raises(ValidationError):
        validate_password("123456789012345")  # digits only
    breached = tmp_path / "breached.txt"
    digest = hashlib.sha1(b"quiet meadow lantern", usedforsecurity=False).hexdigest().upper()
    breached.write_text(f"{digest}:42\n")
    settings.HOMEWARD_BREACHED_PASSWORDS_FILE = str(breached)
    with pytest.raises(ValidationError, match="breach"):
        validate_password("quiet meadow lantern")
    validate_password("quiet meadow lanterns")
