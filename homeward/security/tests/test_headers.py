"""Security headers on real pages (baseline DEP-2, P16, P17, P18) and the deploy check (DEP-1, P15)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from homeward.conftest import World
from homeward.episodes.tests.factories import assess, make_ruby, report
from homeward.identity.api_tokens import api_token_issue
from homeward.security.tests.test_templates import inline_code_in

pytestmark = pytest.mark.django_db

REQUIRED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def _csp(response: object) -> dict[str, str]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    directives = [d.strip().split(None, 1) for d in header.split(";") if d.strip()]
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


def assert_common_headers(response: object, *, page: bool = True) -> None:
    csp = _csp(response)
    for directive, value in REQUIRED_CSP.items():
        assert csp.get(directive) == value, (directive, csp)
    # No way back to inline code: no unsafe-inline / unsafe-eval anywhere, and no other origin.
    assert "unsafe" not in response["Content-Security-Policy"]  # type: ignore[index]
    assert "http" not in response["Content-Security-Policy"]  # type: ignore[index]
    assert response["X-Content-Type-Options"] == "nosniff"  # type: ignore[index]
    assert response["Referrer-Policy"] == "same-origin"  # type: ignore[index]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"  # type: ignore[index]
    if page:  # WhiteNoise answers static files before the clickjacking middleware; CSP covers them.
        assert response["X-Frame-Options"] == "DENY"  # type: ignore[index]
    assert "camera=()" in response["Permissions-Policy"]  # type: ignore[index]
    assert "geolocation=()" in response["Permissions-Policy"]  # type: ignore[index]


def _no_store(response: object) -> bool:
    return "no-store" in response.get("Cache-Control", "")  # type: ignore[attr-defined]


def test_signed_in_pages_and_the_api_send_every_header(client: Client, world: World) -> None:
    ruby = make_ruby(world)
    episode = assess(world, report(world, ruby))
    client.force_login(world.supervisor)
    pages = [
        reverse("dashboard"),
        reverse("dashboard_rows"),
        reverse("person_detail", args=[ruby.pk]),
        reverse("episode_detail", args=[episode.pk]),
        reverse("person_search"),
        reverse("insights:index"),
        reverse("insights:weekly"),
        reverse("insights:measures"),
        reverse("account_security"),
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert_common_headers(response)
        assert _no_store(response), path
        # As rendered, markup drawn in Python (charts, QR codes) included.
        assert inline_code_in(response.content.decode()) == [], path

    # The API, both with the session and with a token on a cookie-less client.
    response = client.get(f"/api/v1/episodes/{episode.pk}")
    assert response.status_code == 200
    assert_common_headers(response)
    assert _no_store(response)
    _, token = api_token_issue(actor=world.officer, name="headers")
    for path in (f"/api/v1/episodes/{episode.pk}", f"/api/v1/people/{ruby.pk}", "/api/v1/episodes"):
        response = Client().get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, (path, response.status_code)
        assert_common_headers(response)
        assert _no_store(response), path


def test_signed_out_pages_send_the_headers_too(client: Client, world: World) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_common_headers(response)
    response = client.get("/api/v1/episodes")
    assert response.status_code == 401
    assert_common_headers(response)


def test_static_files_carry_the_policy(client: Client) -> None:
    response = client.get(settings.STATIC_URL + "homeward/init.mjs")
    assert response.status_code == 200
    assert_common_headers(response, page=False)


def test_the_page_loads_only_its_own_static_scripts(client: Client, world: World) -> None:
    """Every <script> on a page has a same-origin src, so `script-src 'self'` runs all of them."""
    client.force_login(world.officer)
    html = client.get(reverse("dashboard")).content.decode()
    scripts = html.count("<script")
    assert scripts >= 2
    assert html.count('<script src="/static/') + html.count('<script type="module" src="/static/') == scripts


# --- Production settings: transport, cookies and the deploy check (P15, P17, DEP-1) ----------------

SECRET = "x" * 40 + "-not-a-real-key-but-long-and-varied-1234567890"


def _production_env(tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "HOMEWARD_PRODUCTION": "true",
        "HOMEWARD_SECRET_KEY": SECRET,
        "HOMEWARD_ALLOWED_HOSTS": "homeward.example.org",
        "HOMEWARD_SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        "HOMEWARD_STATIC_ROOT": str(tmp_path / "static"),
        "HOMEWARD_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "homeward.settings",
    }
    for name in ("HOMEWARD_TEST_ON_POSTGRES", "DATABASE_URL", "HOMEWARD_DEBUG"):
        env.pop(name, None)
    return env


def test_production_settings_pass_check_deploy_at_warning_level(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name, None) for name in (
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_NAME", "CSRF_COOKIE_SECURE", "DEBUG")}))
"""


def test_production_settings_hold_transport_and_cookie_policy(tmp_path: Path) -> None:
    import json

    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )
    s = json.loads(result.stdout)
    assert s["SECURE_HSTS_SECONDS"] >= 31536000 and s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SESSION_COOKIE_NAME"].startswith("__Host-") and s["SESSION_COOKIE_SECURE"] is True
    assert s["SESSION_COOKIE_HTTPONLY"] is True and s["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert s["CSRF_COOKIE_NAME"].startswith("__Host-") and s["CSRF_COOKIE_SECURE"] is True
    assert s["DEBUG"] is False


def test_hsts_and_secure_cookies_on_an_https_response(client: Client, world: World, settings: object) -> None:
    """With the production values, a signed-in HTTPS response carries HSTS and a Secure session cookie."""
    settings.SECURE_HSTS_SECONDS = 31536000  # type: ignore[attr-defined]
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True  # type: ignore[attr-defined]
    settings.SESSION_COOKIE_SECURE = True  # type: ignore[attr-defined]
    settings.SESSION_COOKIE_NAME = "__Host-homeward-session"  # type: ignore[attr-defined]
    settings.CSRF_COOKIE_SECURE = True  # type: ignore[attr-defined]
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    csrf = response.cookies[settings.CSRF_COOKIE_NAME]  # type: ignore[attr-defined]
    assert csrf["secure"] is True
    client.force_login(world.officer)
    response = client.get(reverse("dashboard"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert _no_store(response)
    session_cookie = client.cookies["__Host-homeward-session"]
    assert session_cookie["secure"] is True and session_cookie["httponly"] is True
    assert session_cookie["samesite"] == "Lax"
