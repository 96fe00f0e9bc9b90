from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

from homeward.settings import envbool, envint


def test_argon2_is_the_first_password_hasher():
    from homeward import settings as module

    assert module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_passwords_need_twelve_characters():
    lengths = [v.get("OPTIONS", {}).get("min_length") for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert 12 in lengths


def test_bad_environment_values_fail_loudly(monkeypatch):
    import pytest
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("X_BOOL", "maybe")
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured):
        envbool("X_BOOL", False)
    with pytest.raises(ImproperlyConfigured):
        envint("X_INT", 1)


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        **os.environ,
        "HOMEWARD_PRODUCTION": "true",
        "HOMEWARD_SECRET_KEY": "x" * 40 + "-not-a-real-key-but-long-and-varied-1234567890",
        "HOMEWARD_ALLOWED_HOSTS": "homeward.example.org",
        "HOMEWARD_SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        "HOMEWARD_STATIC_ROOT": str(tmp_path / "static"),
    }
    env.pop("HOMEWARD_TEST_ON_POSTGRES", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "homeward.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "HOMEWARD_PRODUCTION": "true", "HOMEWARD_VAR_DIR": str(tmp_path)}
    env.pop("HOMEWARD_SECRET_KEY", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "homeward.cli", "check"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0 and "HOMEWARD_SECRET_KEY" in result.stderr
