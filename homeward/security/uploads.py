"""Checking an uploaded image before it is kept (security baseline DEP-4).

Nothing the browser says is believed: the type comes from the file's own bytes, the stored name is
generated here, and the uploader's name is used only to refuse extensions outside the allow list.

A file passes when it is
- no larger than settings.HOMEWARD_PHOTO_MAX_BYTES (counted from the bytes, not the declared size);
- named .jpg, .jpeg, .png or .webp;
- a JPEG, PNG or WebP by its signature *and* its structure (a JPEG's end-of-image marker, a PNG's IHDR
  first and IEND chunk, a WebP's RIFF length equal to the file's), so that a renamed file or a
  signature glued onto something else is refused;
- free of markup (`<script`, `<html`, `<svg`, `<?php`…), the usual payload of an image/HTML polyglot.
  Photos are also served as attachments with nosniff and a sandboxing CSP, so a polyglot that got
  through would still not run; this is the second lock.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

ALLOWED_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")
EXTENSION_FOR = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
TYPE_MESSAGE = "The photo must be a JPEG, PNG or WebP image"
_MARKUP = re.compile(
    rb"<\s*(script|html|body|svg|iframe|object|embed|meta|\?php)\b|javascript:", re.IGNORECASE
)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class CheckedImage:
    content_type: str
    stored_name: str  # random, with the extension of the real type


def max_bytes() -> int:
    return int(settings.HOMEWARD_PHOTO_MAX_BYTES)


def image_type(data: bytes) -> str | None:
    """The image type the bytes really are, or None: signature and structure, not the file name."""
    if data.startswith(b"\xff\xd8\xff") and b"\xff\xd9" in data[3:]:
        return "image/jpeg"
    if data.startswith(_PNG_SIGNATURE) and data[12:16] == b"IHDR" and b"IEND" in data[-32:]:
        return "image/png"
    if (
        len(data) >= 16
        and data[:4] == b"RIFF"
        and data[8:12] == b"WEBP"
        and int.from_bytes(data[4:8], "little") + 8 == len(data)
    ):
        return "image/webp"
    return None


def image_upload_problem(upload: UploadedFile) -> str | None:
    """Why this upload cannot be kept, in words for the person who sent it; None when it can."""
    limit = max_bytes()
    too_big = f"The photo must be smaller than {limit // (1024 * 1024)} MB"
    if upload.size is not None and upload.size > limit:
        return too_big
    name = (upload.name or "").lower()
    if not name.endswith(ALLOWED_EXTENSIONS):
        return TYPE_MESSAGE
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    if len(data) > limit:
        return too_big
    if image_type(data) is None or _MARKUP.search(data):
        return TYPE_MESSAGE
    return None


def image_upload_checked(upload: UploadedFile) -> CheckedImage:
    """The real type and a new random name for an upload image_upload_problem() accepted."""
    upload.seek(0)
    content_type = image_type(upload.read(max_bytes() + 1))
    upload.seek(0)
    assert content_type is not None, "check with image_upload_problem() first"
    return CheckedImage(content_type, f"{uuid.uuid4().hex}.{EXTENSION_FOR[content_type]}")
