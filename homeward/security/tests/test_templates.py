"""No inline script, inline style or event-handler attribute anywhere a strict CSP would block it (P16).

The policy (settings.HOMEWARD_CONTENT_SECURITY_POLICY) has no 'unsafe-inline' and no nonces, so any of
these would silently stop working in the browser. Templates are scanned, and so is Python that writes
markup (server-drawn SVG charts, QR codes); rendered pages are checked in test_headers.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import homeward

ROOT = Path(homeward.__file__).resolve().parent

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*\\?["'{]""", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"""\son[a-z]+\s*=\s*\\?["']""", re.IGNORECASE)
JS_URL = re.compile(r"javascript:", re.IGNORECASE)
HTMX_EVAL = re.compile(r"\shx-on|\bjs:", re.IGNORECASE)

CHECKS = {
    "inline <script>": INLINE_SCRIPT,
    "<style> element": STYLE_ELEMENT,
    "style= attribute": STYLE_ATTRIBUTE,
    "on*= handler": HANDLER_ATTRIBUTE,
    "javascript: URL": JS_URL,
    "htmx code in markup": HTMX_EVAL,
}


def inline_code_in(text: str) -> list[str]:
    return [name for name, pattern in CHECKS.items() if pattern.search(text)]


def _templates() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.html") if "node_modules" not in p.parts)


def test_the_scanner_catches_each_kind() -> None:
    assert inline_code_in("<script>alert(1)</script>") == ["inline <script>"]
    assert inline_code_in('<script src="/static/x.js"></script>') == []
    assert inline_code_in('<p style="color:red">') == ["style= attribute"]
    assert inline_code_in('<button onclick="go()">') == ["on*= handler"]
    assert inline_code_in('<a href="javascript:void(0)">') == ["javascript: URL"]
    assert inline_code_in("<style>p{}</style>") == ["<style> element"]
    assert inline_code_in('<div hx-on:click="x()">') == ["htmx code in markup"]
    assert inline_code_in('<input type="hidden" name="onward" value="1">') == []


def test_templates_have_no_inline_script_or_style() -> None:
    templates = _templates()
    assert len(templates) > 40
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in templates
        if (found := inline_code_in(path.read_text()))
    }
    assert offenders == {}


def test_python_that_writes_markup_has_no_inline_style() -> None:
    # homeward/security/ names the markup it refuses (uploads.py), so it is left out.
    sources = [
        p
        for p in ROOT.rglob("*.py")
        if not {"tests", "migrations", "security"} & set(p.relative_to(ROOT).parts)
    ]
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in sources
        if (found := [n for n in inline_code_in(path.read_text()) if n != "javascript: URL"])
    }
    assert offenders == {}
