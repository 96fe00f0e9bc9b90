"""Person photo uploads (security baseline DEP-4): size, extension and real type, stored outside the web
root under a generated name, served only through an access-checked view as an attachment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from homeward.conftest import World
from homeward.episodes.tests.factories import make_ruby
from homeward.people.models import Person, PersonPhoto
from homeward.security.uploads import image_type

pytestmark = pytest.mark.django_db

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a3e5b5a40000000049454e44ae426082"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"
_VP8 = b"VP8L" + (5).to_bytes(4, "little") + b"\x2f\x00\x00\x00\x00\x00"
WEBP = b"RIFF" + (4 + len(_VP8)).to_bytes(4, "little") + b"WEBP" + _VP8


def _post(client: Client, person: Person, name: str, data: bytes, content_type: str = "image/jpeg") -> object:
    return client.post(
        reverse("person_add_photo", args=[person.pk]),
        {
            "image": SimpleUploadedFile(name, data, content_type=content_type),
            "taken_on": (dt.date.today() - dt.timedelta(days=3)).isoformat(),  # noqa: DTZ011
            "supplied_by": "Her mother",
        },
    )


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def ruby(world: World) -> Person:
    return make_ruby(world)


def test_the_real_type_comes_from_the_bytes() -> None:
    assert image_type(PNG) == "image/png"
    assert image_type(JPEG) == "image/jpeg"
    assert image_type(WEBP) == "image/webp"
    assert image_type(b"GIF89a" + b"\x00" * 20) is None
    assert image_type(b"%PDF-1.7\n") is None
    assert image_type(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64) is None  # a signature alone is not a PNG
    assert image_type(b"\xff\xd8\xff" + b"<html>") is None  # no end-of-image marker
    assert image_type(WEBP + b"<script>") is None  # RIFF length no longer matches


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("photo.png", PNG, "image/png"),
        ("photo.JPG", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "application/octet-stream"),
        ("photo.webp", WEBP, "image/webp"),
        # The browser's claim is ignored: the bytes decide.
        ("photo.png", PNG, "text/html"),
        # A real image under another allowed extension is kept, stored under its real type.
        ("photo.jpg", PNG, "image/jpeg"),
    ],
)
def test_real_images_are_kept_under_their_real_type(
    client: Client, world: World, ruby: Person, name: str, data: bytes, content_type: str
) -> None:
    client.force_login(world.officer)
    response = _post(client, ruby, name, data, content_type)
    assert response.status_code == 302, response.content  # type: ignore[attr-defined]
    photo = PersonPhoto.objects.get()
    real = image_type(data)
    assert photo.content_type == real
    assert (
        Path(photo.image.name).suffix
        == {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}[real or ""]
    )
    assert "photo" not in Path(photo.image.name).name  # the uploader's name is not kept


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("notes.jpg", b"<html><script>alert(1)</script></html>", "markup renamed .jpg"),
        ("invoice.png", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF renamed .png"),
        ("tool.jpg", b"MZ\x90\x00\x03" + b"\x00" * 60, "a program renamed .jpg"),
        ("anim.gif", b"GIF89a" + b"\x00" * 40, "a GIF"),
        ("photo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>', "an SVG"),
        ("photo.html", PNG, "a real PNG under a forbidden extension"),
        ("photo", PNG, "no extension"),
        ("polyglot.jpg", JPEG[:-2] + b"<script>alert(1)</script>" + b"\xff\xd9", "JPEG with a script inside"),
        ("polyglot.png", PNG + b"<html><script>alert(1)</script>", "PNG with HTML appended"),
        ("polyglot.webp", WEBP[:-4] + b"<svg", "WebP carrying markup"),
        ("fake.png", b"\x89PNG\r\n\x1a\n<script>alert(1)</script>", "a PNG signature glued on"),
    ],
)
def test_anything_else_is_refused_and_nothing_is_stored(
    client: Client, world: World, ruby: Person, name: str, data: bytes, why: str
) -> None:
    client.force_login(world.officer)
    response = _post(client, ruby, name, data)
    assert response.status_code == 200, why  # type: ignore[attr-defined]
    assert "must be a JPEG, PNG or WebP image" in response.content.decode(), why  # type: ignore[attr-defined]
    assert PersonPhoto.objects.count() == 0
    assert _stored_files() == []


def test_an_oversize_photo_is_refused(client: Client, world: World, ruby: Person, settings: object) -> None:
    settings.HOMEWARD_PHOTO_MAX_BYTES = 2 * 1024 * 1024  # type: ignore[attr-defined]
    client.force_login(world.officer)
    big = JPEG[:-2] + b"\x00" * (2 * 1024 * 1024) + b"\xff\xd9"
    response = _post(client, ruby, "big.jpg", big)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "must be smaller than 2 MB" in response.content.decode()  # type: ignore[attr-defined]
    assert PersonPhoto.objects.count() == 0 and _stored_files() == []
    # Just under the limit is fine.
    fits = JPEG[:-2] + b"\x00" * (2 * 1024 * 1024 - len(JPEG)) + b"\xff\xd9"
    assert _post(client, ruby, "fits.jpg", fits).status_code == 302  # type: ignore[attr-defined]


def test_the_limit_is_a_setting_of_five_megabytes() -> None:
    from homeward import settings as module

    assert module.HOMEWARD_PHOTO_MAX_BYTES == 5 * 1024 * 1024


def test_photos_are_stored_outside_the_web_root(client: Client, world: World, ruby: Person) -> None:
    client.force_login(world.officer)
    assert _post(client, ruby, "photo.png", PNG, "image/png").status_code == 302  # type: ignore[attr-defined]
    photo = PersonPhoto.objects.get()
    stored = Path(photo.image.path).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    # Nothing WhiteNoise or the static finders serve lies above or below the media folder.
    web_roots = [Path(settings.STATIC_ROOT)] + [
        Path(d[1] if isinstance(d, tuple) else d) for d in settings.STATICFILES_DIRS
    ]
    for root in web_roots:
        assert not stored.is_relative_to(root.resolve()), root
    # The production default is under var/, outside the package and the static root.
    from homeward import settings as module

    assert Path(module.MEDIA_ROOT).is_relative_to(module.VAR_DIR)
    for path in (f"/static/{photo.image.name}", f"/media/{photo.image.name}", f"/{photo.image.name}"):
        assert client.get(path).status_code == 404, path


def test_photos_are_served_as_attachments_only_to_those_who_may_see_them(
    client: Client, world: World, ruby: Person
) -> None:
    client.force_login(world.officer)
    _post(client, ruby, "Ruby Hartley.png", PNG, "image/png")
    photo = PersonPhoto.objects.get()
    url = reverse("person_photo", args=[photo.pk])
    served = client.get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["Content-Disposition"] == f'attachment; filename="photo-{photo.pk}.png"'
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in served["Cache-Control"]
    assert "sandbox" in served["Content-Security-Policy"]
    assert b"".join(served.streaming_content) == PNG  # type: ignore[attr-defined]
    # The partner who shares Ruby's case sees it too; the outsider gets the same 404 as for a missing photo.
    client.force_login(world.partner)
    assert client.get(url).status_code == 200
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    assert client.get(reverse("person_photo", args=[photo.pk + 1000])).status_code == 404
    # Signed out: the sign-in page.
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_outsider_cannot_upload_either(client: Client, world: World, ruby: Person) -> None:
    client.force_login(world.outsider)
    assert _post(client, ruby, "photo.png", PNG, "image/png").status_code in (403, 404)  # type: ignore[attr-defined]
    assert PersonPhoto.objects.count() == 0
