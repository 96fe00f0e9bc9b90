"""ACC-1: views, API modules and templates never read protected models directly; selectors do.

The baseline suggests Semgrep; this is the same rule in Python's `ast`, with no new dependency.
Protected models are computed from Django's app registry: Person, Episode, and every model whose
foreign keys lead to either, however many steps away. A view or API module that touches
`<Model>.objects`, `<Model>._default_manager` or `<Model>._base_manager` (or `apps.get_model(...)` of one)
for such a model fails here unless the read is on the allow-list below, with its reason.

What it cannot see: related managers (`episode.sightings.all()`) — those start from an object a
selector already scoped — and a model reached through a variable that is not a module-level name.
"""

from __future__ import annotations

import ast
import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import models

import homeward

ROOT = Path(homeward.__file__).parent
REPO = ROOT.parent
MANAGERS = {"objects", "_default_manager", "_base_manager"}

# (file, enclosing function, model) → why the direct read stands. A new direct read fails the test;
# an entry whose read has gone fails it too, so the list only shrinks.
ALLOWED: dict[tuple[str, str, str], str] = {}


def protected_models() -> set[type[models.Model]]:
    """Person, Episode and every model whose forward relations reach them, directly or in steps."""
    protected: set[type[models.Model]] = {
        apps.get_model("people", "Person"),
        apps.get_model("episodes", "Episode"),
    }
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            if model in protected:
                continue
            if any(
                f.concrete and f.is_relation and f.related_model in protected
                for f in model._meta.get_fields()
            ):
                protected.add(model)
                grew = True
    return protected


@dataclass(frozen=True)
class DirectRead:
    path: str
    line: int
    function: str
    model: str
    manager: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} in {self.function or '<module>'}: {self.model}.{self.manager}"


def _imports(tree: ast.AST, package: str) -> dict[str, str]:
    """Local name → dotted path, for every import anywhere in the module (including inside functions)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    names[head] = head
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            for alias in node.names:
                names[alias.asname or alias.name] = f"{base}.{alias.name}"
    return names


def _lookup(dotted: str) -> Any:
    """The object a dotted path names (a module, or an attribute of one), or None."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr, None)
        return obj
    return None


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def _model_of(node: ast.expr, imports: dict[str, str], module_globals: dict[str, Any]) -> Any:
    # apps.get_model("people", "Person") or apps.get_model("people.Person")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get_model":
        labels = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        try:
            return apps.get_model(*labels) if labels else None
        except (LookupError, ValueError, TypeError):
            return None
    dotted = _dotted(node)
    if dotted is None:
        return None
    head, _, rest = dotted.partition(".")
    if head in module_globals:
        obj = module_globals[head]
        for attr in rest.split(".") if rest else []:
            obj = getattr(obj, attr, None)
        return obj
    if head in imports:
        return _lookup(imports[head] + (f".{rest}" if rest else ""))
    return None


def direct_reads(
    source: str, *, path: str, module: str, protected: set[type[models.Model]]
) -> list[DirectRead]:
    """Every manager access on a protected model in one module's source."""
    tree = ast.parse(source)
    package = module.rpartition(".")[0]
    imports = _imports(tree, package)
    try:
        module_globals = vars(importlib.import_module(module))
    except ImportError:
        module_globals = {}
    found: list[DirectRead] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                # The outermost definition names the read: nested helpers belong to their view.
                visit(child, function or child.name)
                continue
            if isinstance(child, ast.Attribute) and child.attr in MANAGERS:
                model = _model_of(child.value, imports, module_globals)
                if model in protected:
                    found.append(DirectRead(path, child.lineno, function, model._meta.label, child.attr))
            visit(child, function)

    visit(tree, "")
    return found


def _view_and_api_modules() -> list[Path]:
    files = {p for pattern in ("views*.py", "api*.py") for p in ROOT.rglob(pattern)}
    return sorted(p for p in files if "tests" not in p.relative_to(ROOT).parts)


def _all_direct_reads() -> list[DirectRead]:
    protected = protected_models()
    found: list[DirectRead] = []
    for file in _view_and_api_modules():
        rel = file.relative_to(REPO)
        module = ".".join(rel.with_suffix("").parts)
        found += direct_reads(file.read_text(), path=rel.as_posix(), module=module, protected=protected)
    return found


def test_the_protected_models_are_computed_from_the_registry():
    labels = {m._meta.label for m in protected_models()}
    # Direct and indirect: ReturnInterviewEvent reaches Episode through ReturnInterview.
    assert {
        "people.Person",
        "episodes.Episode",
        "episodes.PreventionInterview",
        "returns.ReturnInterview",
        "returns.ReturnInterviewEvent",
        "protocols.ProtocolProfile",
        "prevention.Plan",
        "families.FamilyContact",
        "dataprotection.RetentionReview",
    } <= labels
    assert not {"identity.Organisation", "identity.User", "audit.AuditEvent"} & labels


def test_the_scan_covers_every_view_and_api_module():
    scanned = {p.relative_to(REPO).as_posix() for p in _view_and_api_modules()}
    assert {
        "homeward/episodes/views.py",
        "homeward/people/api.py",
        "homeward/insights/views_returns.py",
    } <= scanned


def test_views_and_api_read_protected_models_only_through_selectors():
    found = _all_direct_reads()
    new = [str(r) for r in found if (r.path, r.function, r.model) not in ALLOWED]
    assert not new, (
        "Views and API modules must read protected models through a selectors.*_for(actor=...) function "
        "(ARCHITECTURE habit 2, baseline ACC-1):\n  " + "\n  ".join(new)
    )


def test_every_allowed_exception_still_exists():
    present = {(r.path, r.function, r.model) for r in _all_direct_reads()}
    stale = [key for key in ALLOWED if key not in present]
    assert not stale, f"remove these from ALLOWED, the direct read has gone: {stale}"


def test_templates_do_not_reach_for_model_managers():
    pattern = re.compile(r"\.objects\b|_default_manager|_base_manager")
    hits = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in sorted(ROOT.rglob("templates/**/*"))
        if path.is_file() and path.suffix != ".py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert not hits, "Templates render what a selector returned; they never query:\n  " + "\n  ".join(hits)


def test_the_scan_catches_the_ways_a_view_could_read_directly():
    source = """
import homeward.people.models as people_models
from django.apps import apps
from homeward.episodes.models import Episode as E
from homeward.identity.models import Organisation

def by_alias(request):
    return E._default_manager.all()

def by_module(request):
    return people_models.Person.objects.get(pk=1)

def by_registry(request):
    return apps.get_model("returns", "ReturnInterview").objects.first()

def by_local_import(request):
    from homeward.returns.models import ReturnInterviewEvent
    return ReturnInterviewEvent._base_manager.count()

def not_protected(request):
    return Organisation.objects.all()
"""
    found = direct_reads(source, path="x/views.py", module="x.views", protected=protected_models())
    assert [(r.function, r.model, r.manager) for r in found] == [
        ("by_alias", "episodes.Episode", "_default_manager"),
        ("by_module", "people.Person", "objects"),
        ("by_registry", "returns.ReturnInterview", "objects"),
        ("by_local_import", "returns.ReturnInterviewEvent", "_base_manager"),
    ]
